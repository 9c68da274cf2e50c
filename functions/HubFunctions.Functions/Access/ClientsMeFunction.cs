using HubFunctions.Core.Access;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Access;

public sealed class ClientsMeFunction
{
    /// <summary>GET /api/clients/me: who the hub thinks is calling, so integrators can test their signing.</summary>
    [Function("ClientsMe")]
    public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clients/me")] HttpRequest request)
    {
        var caller = request.GetCaller();
        return HubResults.Ok(new
        {
            clientId = caller.ClientId,
            role = caller.Role.ToWire(),
            sellerId = caller.SellerId,
            hub = caller.Hub,
        });
    }
}

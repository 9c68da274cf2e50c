using HubFunctions.Core.Access;
using HubFunctions.Core.Hubs;

namespace HubFunctions.Functions.Hosting;

/// <summary>Resource checks shared by the functions (SEC-1, SEC-2); the seller check is <see cref="Core.Admission.SellerAccess"/>.</summary>
public static class ResourceAccess
{
    /// <summary>404 for a hub that does not exist; 403 for a hub operator of another hub.</summary>
    public static ProblemResult? CheckHub(HubCaller caller, string hub)
    {
        if (!Hubs.Exists(hub))
        {
            return Problems.NotFound($"There is no hub '{hub}'; hubs are {string.Join(", ", Hubs.All.Select(h => h.Id))}.");
        }

        return caller.ActsForHub(hub)
            ? null
            : new ProblemResult(Problems.Forbidden(ProblemCodes.Forbidden, $"Client '{caller.ClientId}' acts for hub '{caller.Hub}', not '{hub}' (SEC-2)."));
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using HubFunctions.Integration.Tests.Fixtures;

namespace HubFunctions.Integration.Tests.TaxAuthority;

/// <summary>The DevHost's simulated tax authority route, for local runs in http mode.</summary>
public sealed class SimulatedAuthorityRouteTests
{
    [Fact]
    public async Task ADM_10_the_DevHost_serves_the_simulated_authority_and_can_be_told_a_rating_or_to_fail()
    {
        using var factory = new DevHostFactory();
        using var http = factory.CreateDefaultClient();
        const string path = "/admin/tax-authority/v1/taxpayers/914403001922038216/credit-rating";
        HttpRequestMessage Ask(string credentials = "local:local") => new(HttpMethod.Get, path)
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials))) },
        };

        var a = await HttpAssert.Json(await http.SendAsync(Ask()));
        Assert.Equal(("914403001922038216", "A"), (a.GetProperty("unifiedSocialCreditCode").GetString(), a.GetProperty("rating").GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Ask("local:wrong"))).StatusCode);

        var steer = await http.PutAsJsonAsync("/admin/tax-authority/behaviour", new { mode = "Failing", requests = 1, ratings = new Dictionary<string, string> { ["914403001922038216"] = "C" } });
        Assert.Equal(HttpStatusCode.OK, steer.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.SendAsync(Ask())).StatusCode);
        Assert.Equal("C", (await HttpAssert.Json(await http.SendAsync(Ask()))).GetProperty("rating").GetString());
    }
}

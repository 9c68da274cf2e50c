using System.Net;
using HubFunctions.Integration.Tests.Fixtures;

namespace HubFunctions.Integration.Tests.Hosting;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_is_ok_when_storage_answers()
    {
        // Storage answers, but on this 2-core machine, with the other test classes loading the one
        // Azurite, not always within the production limit of 3 s: this test is about the answer.
        using var factory = new DevHostFactory(settings: new Dictionary<string, string?> { ["Hub:Health:StorageTimeout"] = "00:00:30" });
        using var http = factory.CreateDefaultClient();
        var body = await HttpAssert.Json(await http.GetAsync("/api/health"));
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("ok", body.GetProperty("storage").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task Health_is_503_problem_when_storage_is_unreachable()
    {
        using var factory = new DevHostFactory(storage: TestStorage.Unreachable);
        using var http = factory.CreateDefaultClient();
        var started = DateTime.UtcNow;
        var problem = await HttpAssert.Problem(await http.GetAsync("/api/health"), HttpStatusCode.ServiceUnavailable, "storage-unavailable");
        Assert.Equal("unreachable", problem.GetProperty("storage").GetString());
        Assert.DoesNotContain("127.0.0.1", problem.GetRawText());
        Assert.Contains("within 3 seconds", problem.GetProperty("detail").GetString());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20));
    }
}

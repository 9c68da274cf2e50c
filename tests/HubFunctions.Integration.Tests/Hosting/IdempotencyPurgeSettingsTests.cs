using HubFunctions.Infrastructure.Idempotency;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HubFunctions.Integration.Tests.Hosting;

/// <summary>The purge's settings come from <c>Hub:Idempotency</c>, through the host, and unusable values stop it.</summary>
public sealed class IdempotencyPurgeSettingsTests
{
    [Fact]
    public void The_purge_budget_defaults_to_4_minutes_and_4_partitions_at_once_and_both_can_be_set()
    {
        using (var defaults = new DevHostFactory())
        {
            var options = defaults.Services.GetRequiredService<IOptions<IdempotencyPurgeOptions>>().Value;
            Assert.Equal((TimeSpan.FromMinutes(4), 4), (options.PurgeBudget, options.PurgeParallelism));
        }

        using var factory = new DevHostFactory(settings: new Dictionary<string, string?>
        {
            ["Hub:Idempotency:PurgeBudget"] = "00:02:30",
            ["Hub:Idempotency:PurgeParallelism"] = "8",
        });
        var set = factory.Services.GetRequiredService<IOptions<IdempotencyPurgeOptions>>().Value;
        Assert.Equal((new TimeSpan(0, 2, 30), 8), (set.PurgeBudget, set.PurgeParallelism));
    }

    [Theory]
    [InlineData("Hub:Idempotency:PurgeParallelism", "0")]
    [InlineData("Hub:Idempotency:PurgeBudget", "00:00:00")]
    [InlineData("Hub:Idempotency:PurgeBudget", "00:10:00")]
    public void An_unusable_purge_setting_stops_the_host(string setting, string value)
    {
        using var factory = new DevHostFactory(settings: new Dictionary<string, string?> { [setting] = value });
        var e = Assert.ThrowsAny<Exception>(() => factory.Services.GetRequiredService<IOptions<IdempotencyPurgeOptions>>());
        Assert.Contains("Hub:Idempotency settings are not usable", e.ToString(), StringComparison.Ordinal);
    }
}

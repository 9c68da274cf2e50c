using HubFunctions.Core.Admission;
using HubFunctions.DevHost;
using HubFunctions.Infrastructure.TaxAuthority;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.TaxAuthority;

/// <summary>
/// ADM-10 / CMP-5: the real HTTP adapter and its one resilience pipeline against the simulated
/// authority on a real socket. Polly's timers run on a <see cref="FakeTimeProvider"/>: the attempt
/// timeout is a minute and the break five minutes, so a test that passed on real waits would time out.
/// </summary>
public sealed class TaxAuthorityAdapterTests
{
    private const string Uscc = "914403001922038216";
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan BreakDuration = TimeSpan.FromMinutes(5);

    private static ServiceProvider Adapter(TaxAuthorityServer server, FakeTimeProvider clock, int retries = 2, int breakAfter = 10)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(server.Settings(new Dictionary<string, string?>
        {
            ["AttemptTimeout"] = AttemptTimeout.ToString(),
            ["TotalTimeout"] = "01:00:00",
            ["MaxRetryAttempts"] = retries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RetryDelay"] = "00:00:00", // no back-off to wait through on the fake clock
            ["BreakMinimumThroughput"] = breakAfter.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["BreakFailureRatio"] = "0.5",
            ["BreakSamplingDuration"] = "00:30:00",
            ["BreakDuration"] = BreakDuration.ToString(),
        })).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddSingleton<TimeProvider>(clock);
        services.AddHubTaxAuthority();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static Task<TaxRatingResult> Ask(ServiceProvider provider)
        => provider.GetRequiredService<ITaxCreditService>().GetRatingAsync(Uscc, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task ADM_10_http_mode_uses_the_http_adapter_and_reads_each_rating()
    {
        await using var server = await TaxAuthorityServer.StartAsync();
        using var provider = Adapter(server, new FakeTimeProvider());
        Assert.IsType<HttpTaxCreditService>(provider.GetRequiredService<ITaxCreditService>());

        foreach (var rating in new[] { TaxRating.A, TaxRating.B, TaxRating.M, TaxRating.C, TaxRating.D })
        {
            if (rating != TaxRating.A)
            {
                server.Authority.SetRating(Uscc, rating.ToString());
            }

            Assert.Equal(TaxRatingResult.Rated(rating), await Ask(provider));
        }

        Assert.Equal(5, server.Authority.Requests);
    }

    [Fact]
    public async Task ADM_10_a_slow_answer_times_out_per_attempt_and_the_retry_gets_the_rating()
    {
        await using var server = await TaxAuthorityServer.StartAsync();
        var clock = new FakeTimeProvider();
        using var provider = Adapter(server, clock);
        server.Authority.SetRating(Uscc, "B");
        server.Authority.Behave(SimulatedAuthorityMode.Slow, requests: 1);

        var parked = server.Authority.SlowRequestParked;
        var answer = Ask(provider);
        await parked.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(answer.IsCompleted);
        clock.Advance(AttemptTimeout);

        Assert.Equal(TaxRatingResult.Rated(TaxRating.B), await answer);
        Assert.Equal(2, server.Authority.Requests);
    }

    [Fact]
    public async Task ADM_10_a_failing_authority_is_retried_then_the_answer_is_unavailable()
    {
        await using var server = await TaxAuthorityServer.StartAsync();
        using var provider = Adapter(server, new FakeTimeProvider(), retries: 2);
        server.Authority.Behave(SimulatedAuthorityMode.Failing);

        var answer = await Ask(provider);

        Assert.False(answer.IsAvailable);
        Assert.Contains("503", answer.UnavailableReason, StringComparison.Ordinal);
        Assert.Equal(3, server.Authority.Requests);
    }

    [Fact]
    public async Task ADM_10_a_failure_that_clears_within_the_retries_gets_the_rating()
    {
        await using var server = await TaxAuthorityServer.StartAsync();
        using var provider = Adapter(server, new FakeTimeProvider(), retries: 2);
        server.Authority.Behave(SimulatedAuthorityMode.Down, requests: 2);

        Assert.Equal(TaxRatingResult.Rated(TaxRating.A), await Ask(provider));
        Assert.Equal(3, server.Authority.Requests);
    }

    [Fact]
    public async Task ADM_10_when_the_authority_is_down_the_circuit_opens_fails_fast_and_closes_after_the_break()
    {
        await using var server = await TaxAuthorityServer.StartAsync();
        var clock = new FakeTimeProvider();
        using var provider = Adapter(server, clock, retries: 2, breakAfter: 4);
        server.Authority.Behave(SimulatedAuthorityMode.Down);

        // 3 attempts, then 1 more: 4 failures of 4 sampled opens the circuit.
        Assert.False((await Ask(provider)).IsAvailable);
        var second = await Ask(provider);
        Assert.False(second.IsAvailable);
        var reached = server.Authority.Requests;
        Assert.Equal(4, reached);

        // Open: every call fails at once, none reaches the authority, even once it is back.
        server.Authority.Behave(SimulatedAuthorityMode.Normal);
        for (var i = 0; i < 5; i++)
        {
            var answer = await Ask(provider);
            Assert.False(answer.IsAvailable);
            Assert.Contains("circuit open", answer.UnavailableReason, StringComparison.Ordinal);
        }

        Assert.Equal(reached, server.Authority.Requests);

        // After the break one probe goes through; it succeeds, the circuit closes.
        clock.Advance(BreakDuration);
        Assert.Equal(TaxRatingResult.Rated(TaxRating.A), await Ask(provider));
        Assert.Equal(TaxRatingResult.Rated(TaxRating.A), await Ask(provider));
        Assert.Equal(reached + 2, server.Authority.Requests);
    }

    [Fact]
    public async Task ADM_10_wrong_credentials_or_an_unreadable_answer_are_unavailable_and_not_retried()
    {
        await using var server = await TaxAuthorityServer.StartAsync();
        var clock = new FakeTimeProvider();
        var settings = server.Settings();
        settings["Hub:TaxAuthority:ApiKey"] = "wrong";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddSingleton<TimeProvider>(clock);
        services.AddHubTaxAuthority();
        using (var provider = services.BuildServiceProvider())
        {
            var answer = await Ask(provider);
            Assert.False(answer.IsAvailable);
            Assert.Contains("401", answer.UnavailableReason, StringComparison.Ordinal);
            Assert.Equal(1, server.Authority.Requests);
        }

        using var good = Adapter(server, clock);
        server.Authority.SetRating(Uscc, "AA");
        Assert.Equal("tax authority: unreadable answer", (await Ask(good)).UnavailableReason);
        server.Authority.SetRating(Uscc, "E");
        Assert.False((await Ask(good)).IsAvailable);
    }

    [Fact]
    public void ADM_10_the_pipeline_has_attempt_timeout_jittered_retry_breaker_and_total_timeout_from_the_settings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hub:TaxAuthority:Mode"] = "http",
            ["Hub:TaxAuthority:BaseUrl"] = "https://tax.example.cn/",
            ["Hub:TaxAuthority:ClientId"] = "hub",
            ["Hub:TaxAuthority:ApiKey"] = "key",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddHubTaxAuthority();
        using var provider = services.BuildServiceProvider();

        // Resolving the standard options runs their own validation (e.g. sampling ≥ 2 × attempt timeout).
        var pipeline = provider.GetRequiredService<IOptionsMonitor<HttpStandardResilienceOptions>>().Get(HttpTaxCreditService.ClientName + "-standard");
        var defaults = new TaxAuthorityOptions();
        Assert.Equal(defaults.AttemptTimeout, pipeline.AttemptTimeout.Timeout);
        Assert.Equal(defaults.TotalTimeout, pipeline.TotalRequestTimeout.Timeout);
        Assert.Equal(defaults.MaxRetryAttempts, pipeline.Retry.MaxRetryAttempts);
        Assert.True(pipeline.Retry.UseJitter);
        Assert.Equal(Polly.DelayBackoffType.Exponential, pipeline.Retry.BackoffType);
        Assert.Equal(defaults.BreakDuration, pipeline.CircuitBreaker.BreakDuration);
        Assert.Equal(defaults.BreakMinimumThroughput, pipeline.CircuitBreaker.MinimumThroughput);
    }

    [Theory]
    [InlineData("Mode", "soap")]
    [InlineData("BaseUrl", "http://tax.example.cn/")]
    [InlineData("BaseUrl", "not a url")]
    [InlineData("ApiKey", "")]
    [InlineData("AttemptTimeout", "00:02:00")]
    [InlineData("BreakSamplingDuration", "00:00:05")]
    public void ADM_10_bad_tax_authority_settings_stop_the_host_at_start(string setting, string value)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Hub:TaxAuthority:Mode"] = "http",
            ["Hub:TaxAuthority:BaseUrl"] = "https://tax.example.cn/",
            ["Hub:TaxAuthority:ClientId"] = "hub",
            ["Hub:TaxAuthority:ApiKey"] = "key",
            ["Hub:TaxAuthority:" + setting] = value,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddHubTaxAuthority();
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TaxAuthorityOptions>>().Value);
        Assert.Contains(e.Failures, f => f.Contains(setting == "BreakSamplingDuration" || setting == "AttemptTimeout" ? "Timeout" : setting, StringComparison.Ordinal)
            || f.Contains(setting, StringComparison.Ordinal));
    }

    [Fact]
    public void ADM_10_simulated_mode_needs_no_url_and_uses_the_in_process_authority()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([]).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddHubTaxAuthority();
        using var provider = services.BuildServiceProvider();
        Assert.IsType<HubFunctions.Infrastructure.Admission.SimulatedTaxCreditService>(provider.GetRequiredService<ITaxCreditService>());
    }
}

using System.Net;

namespace HubFunctions.Infrastructure.TaxAuthority;

/// <summary>
/// Which tax authority the app asks (ADM-10, CMP-5) and how (<c>Hub:TaxAuthority</c>). <see cref="Mode"/>
/// <c>simulated</c> (the default: local runs and tests) answers from configuration in-process;
/// <c>http</c> calls the authority's rating service at <see cref="BaseUrl"/> with the client's
/// credentials, behind one Polly pipeline (<see cref="TaxAuthorityRegistration"/>). Checked at start
/// (<see cref="Problems"/>): a bad setting stops the host instead of failing the first application.
/// </summary>
public sealed class TaxAuthorityOptions
{
    public const string Section = "Hub:TaxAuthority";

    public const string SimulatedMode = "simulated";
    public const string HttpMode = "http";

    /// <summary><c>simulated</c> or <c>http</c>.</summary>
    public string Mode { get; set; } = SimulatedMode;

    /// <summary>The rating service's base URL (https; http only for a loopback address), e.g. <c>https://tax.example.cn/</c>.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Our client id at the authority (HTTP Basic user name).</summary>
    public string? ClientId { get; set; }

    /// <summary>Our API key at the authority (HTTP Basic password). A secret: from Key Vault in Azure, never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one attempt may take (Polly attempt timeout).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one question may take, every retry included (Polly total request timeout).</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt (exponential back-off with jitter).</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The first retry's median delay; later ones grow exponentially.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The circuit opens when at least this share of the sampled attempts failed ...</summary>
    public double BreakFailureRatio { get; set; } = 0.5;

    /// <summary>... and at least this many attempts were sampled ...</summary>
    public int BreakMinimumThroughput { get; set; } = 10;

    /// <summary>... within this window (at least twice <see cref="AttemptTimeout"/>).</summary>
    public TimeSpan BreakSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit refuses calls at once before one probe is let through.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(60);

    public bool UsesHttp => string.Equals(Mode, HttpMode, StringComparison.Ordinal);

    /// <summary>Every setting that is wrong, each naming its setting; empty when the options are usable.</summary>
    public IEnumerable<string> Problems()
    {
        if (Mode is not (SimulatedMode or HttpMode))
        {
            yield return $"{Section}:Mode is '{Mode}'; expected '{SimulatedMode}' or '{HttpMode}'.";
            yield break;
        }

        if (!UsesHttp)
        {
            yield break;
        }

        if (BaseUrl is not { IsAbsoluteUri: true } url || !(url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && IsLoopback(url))))
        {
            yield return $"{Section}:BaseUrl must be an absolute https URL (http only for a loopback address).";
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            yield return $"{Section}:ClientId is required in http mode.";
        }

        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            yield return $"{Section}:ApiKey is required in http mode.";
        }

        if (AttemptTimeout <= TimeSpan.Zero || TotalTimeout < AttemptTimeout)
        {
            yield return $"{Section}:AttemptTimeout must be positive and at most TotalTimeout.";
        }

        if (MaxRetryAttempts is < 0 or > 10)
        {
            yield return $"{Section}:MaxRetryAttempts must be 0..10.";
        }

        if (RetryDelay < TimeSpan.Zero)
        {
            yield return $"{Section}:RetryDelay must not be negative.";
        }

        if (BreakFailureRatio is <= 0 or > 1 || BreakMinimumThroughput < 2)
        {
            yield return $"{Section}:BreakFailureRatio must be in (0, 1] and BreakMinimumThroughput at least 2.";
        }

        if (BreakSamplingDuration < 2 * AttemptTimeout || BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            yield return $"{Section}:BreakSamplingDuration must be at least twice AttemptTimeout, and BreakDuration at least 500 ms.";
        }
    }

    private static bool IsLoopback(Uri url) => url.IsLoopback || (IPAddress.TryParse(url.Host, out var ip) && IPAddress.IsLoopback(ip));
}

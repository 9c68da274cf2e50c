using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HubFunctions.Core.Admission;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace HubFunctions.Infrastructure.TaxAuthority;

/// <summary>
/// The tax authority's taxpayer credit rating service over HTTP (ADM-10, CMP-5), through the named
/// client <see cref="ClientName"/> and its one resilience pipeline (attempt timeout, retry with
/// jitter, circuit breaker, total timeout; <see cref="TaxAuthorityRegistration"/>).
/// <para>
/// The contract (docs in <c>lib/HubFunctions.Infrastructure/TaxAuthority/README.md</c>):
/// <c>GET {BaseUrl}v1/taxpayers/{uscc}/credit-rating</c> with HTTP Basic credentials
/// (<see cref="TaxAuthorityOptions.ClientId"/>, <see cref="TaxAuthorityOptions.ApiKey"/>);
/// 200 <c>{ "unifiedSocialCreditCode": "...", "rating": "A".."D" or "M", "assessmentYear": 2025 }</c>.
/// </para>
/// <para>
/// Every failure is <see cref="TaxRatingResult.Unavailable"/>, never an exception and never a rating:
/// no answer after the retries (5xx, 408, 429, connection failures, timeouts), an open circuit, a
/// 404 (the authority does not know the code), 401/403 (our credentials: logged as an error), and
/// an answer that cannot be read or names another code. Only the caller's cancellation throws.
/// </para>
/// </summary>
public sealed partial class HttpTaxCreditService(IHttpClientFactory clients, ILogger<HttpTaxCreditService> logger) : ITaxCreditService
{
    public const string ClientName = "tax-authority";

    /// <summary>A rating answer is a few dozen bytes; anything much larger is not one.</summary>
    public const int MaxAnswerBytes = 16 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<TaxRatingResult> GetRatingAsync(string unifiedSocialCreditCode, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(unifiedSocialCreditCode);
        var http = clients.CreateClient(ClientName);
        try
        {
            using var response = await http.GetAsync(RatingPath(unifiedSocialCreditCode), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return Unavailable(response.StatusCode, unifiedSocialCreditCode);
            }

            var answer = await response.Content.ReadFromJsonAsync<RatingAnswer>(Json, cancellationToken).ConfigureAwait(false);
            if (answer is null || !string.Equals(answer.UnifiedSocialCreditCode, unifiedSocialCreditCode, StringComparison.Ordinal)
                || !Enum.TryParse<TaxRating>(answer.Rating, ignoreCase: false, out var rating) || !Enum.IsDefined(rating) || answer.Rating!.Length != 1)
            {
                LogUnreadable(unifiedSocialCreditCode);
                return TaxRatingResult.Unavailable("tax authority: unreadable answer");
            }

            return TaxRatingResult.Rated(rating);
        }
        catch (BrokenCircuitException)
        {
            LogCircuitOpen(unifiedSocialCreditCode);
            return TaxRatingResult.Unavailable("tax authority: circuit open after repeated failures");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
            && e is TimeoutRejectedException or HttpRequestException or JsonException or OperationCanceledException or NotSupportedException or InvalidOperationException)
        {
            // InvalidOperationException: the answer exceeded MaxResponseContentBufferSize.
            LogFailed(e.GetType().Name, unifiedSocialCreditCode);
            return TaxRatingResult.Unavailable($"tax authority: no answer ({(e is TimeoutRejectedException ? "timeout" : e.GetType().Name)})");
        }
    }

    /// <summary>The rating resource of one code, relative to the base URL.</summary>
    public static string RatingPath(string unifiedSocialCreditCode) => $"v1/taxpayers/{Uri.EscapeDataString(unifiedSocialCreditCode)}/credit-rating";

    private TaxRatingResult Unavailable(HttpStatusCode status, string uscc)
    {
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            LogRefused((int)status);
        }
        else
        {
            LogStatus((int)status, uscc);
        }

        return TaxRatingResult.Unavailable(status == HttpStatusCode.NotFound
            ? "tax authority: taxpayer not known (404)"
            : $"tax authority: answered {(int)status}");
    }

    private sealed record RatingAnswer(string? UnifiedSocialCreditCode, string? Rating, int? AssessmentYear);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tax authority could not be asked about {Uscc}: circuit open")]
    private partial void LogCircuitOpen(string uscc);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tax authority gave no answer about {Uscc}: {Failure}")]
    private partial void LogFailed(string failure, string uscc);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tax authority answered {Status} about {Uscc}")]
    private partial void LogStatus(int status, string uscc);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tax authority refused our credentials ({Status}): check Hub:TaxAuthority:ClientId and ApiKey")]
    private partial void LogRefused(int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tax authority's answer about {Uscc} could not be read")]
    private partial void LogUnreadable(string uscc);
}

using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Serialization;

namespace HubFunctions.DevHost;

/// <summary>How the simulated tax authority behaves towards the next requests.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SimulatedAuthorityMode>))]
public enum SimulatedAuthorityMode
{
    /// <summary>Answers at once: rating A unless another was set for the code.</summary>
    Normal,

    /// <summary>Answers only after <see cref="SimulatedTaxAuthority.SlowDelay"/> (or when the caller gives up).</summary>
    Slow,

    /// <summary>Answers 503 with a problem body.</summary>
    Failing,

    /// <summary>Drops the connection without an answer, as a service that is down or unreachable.</summary>
    Down,
}

/// <summary>
/// A stand-in for the tax authority's rating service that speaks the real contract over HTTP
/// (<c>GET v1/taxpayers/{uscc}/credit-rating</c>, HTTP Basic credentials; see
/// <c>lib/HubFunctions.Infrastructure/TaxAuthority/README.md</c>), so the real adapter and its Polly
/// pipeline are what tests and local runs exercise. It answers A for any code unless told otherwise
/// (<see cref="SetRating"/>), and can be made slow, failing or down for all requests or for the next
/// n (<see cref="Behave"/>). It counts every request it receives (<see cref="Requests"/>), so a
/// test can see that an open circuit keeps calls away from it.
/// <para>
/// The DevHost maps it under <c>/admin/tax-authority</c> (local callers only), with
/// <c>PUT /admin/tax-authority/behaviour</c> to steer it; tests host it on their own port.
/// </para>
/// </summary>
public sealed class SimulatedTaxAuthority(string clientId, string apiKey)
{
    private readonly ConcurrentDictionary<string, string> _ratings = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _requests;
    private SimulatedAuthorityMode _mode = SimulatedAuthorityMode.Normal;
    private int? _remaining;
    private TaskCompletionSource _parked = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How long a slow answer takes (real time; a caller that gives up first cancels it).</summary>
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Requests received so far, answered or not.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Completes when a slow request starts waiting (then replaced by a fresh one).</summary>
    public Task SlowRequestParked
    {
        get
        {
            lock (_gate)
            {
                return _parked.Task;
            }
        }
    }

    /// <summary>Answer <paramref name="rating"/> (A, B, M, C or D; anything else is sent as given) for <paramref name="uscc"/>.</summary>
    public void SetRating(string uscc, string rating) => _ratings[uscc] = rating;

    /// <summary>Behave as <paramref name="mode"/> for the next <paramref name="requests"/> requests (all, when null), then normally.</summary>
    public void Behave(SimulatedAuthorityMode mode, int? requests = null)
    {
        lock (_gate)
        {
            _mode = mode;
            _remaining = requests;
        }
    }

    /// <summary>Maps the rating resource under <paramref name="prefix"/> (e.g. <c>/admin/tax-authority</c>).</summary>
    public void Map(IEndpointRouteBuilder routes, string prefix)
    {
        var p = prefix.TrimEnd('/');
        routes.MapGet(p + "/v1/taxpayers/{uscc}/credit-rating", (string uscc, HttpContext http) => AnswerAsync(uscc, http));
    }

    /// <summary>Maps the steering route too: <c>PUT {prefix}/behaviour</c> with <c>{ "mode", "requests"?, "ratings"? }</c>.</summary>
    public void MapWithControl(IEndpointRouteBuilder routes, string prefix)
    {
        Map(routes, prefix);
        routes.MapPut(prefix.TrimEnd('/') + "/behaviour", (BehaviourRequest body) =>
        {
            foreach (var (uscc, rating) in body.Ratings ?? [])
            {
                SetRating(uscc, rating);
            }

            Behave(body.Mode ?? SimulatedAuthorityMode.Normal, body.Requests);
            return Results.Ok(new { mode = body.Mode ?? SimulatedAuthorityMode.Normal, body.Requests, requestsReceived = Requests });
        });
    }

    private async Task AnswerAsync(string uscc, HttpContext http)
    {
        Interlocked.Increment(ref _requests);
        var mode = Take();
        switch (mode)
        {
            case SimulatedAuthorityMode.Down:
                http.Abort();
                return;
            case SimulatedAuthorityMode.Failing:
                await Results.Problem(statusCode: 503, title: "Service Unavailable", detail: "simulated failure").ExecuteAsync(http);
                return;
            case SimulatedAuthorityMode.Slow:
                TaskCompletionSource parked;
                lock (_gate)
                {
                    parked = _parked;
                    _parked = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                parked.TrySetResult();
                try
                {
                    await Task.Delay(SlowDelay, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                break;
        }

        if (!Authorised(http.Request.Headers.Authorization))
        {
            await Results.Problem(statusCode: 401, title: "Unauthorized").ExecuteAsync(http);
            return;
        }

        await Results.Json(new { unifiedSocialCreditCode = uscc, rating = _ratings.GetValueOrDefault(uscc, "A"), assessmentYear = 2025 }).ExecuteAsync(http);
    }

    private SimulatedAuthorityMode Take()
    {
        lock (_gate)
        {
            var mode = _mode;
            if (_remaining is { } n)
            {
                _remaining = n - 1;
                if (n <= 1)
                {
                    _mode = SimulatedAuthorityMode.Normal;
                    _remaining = null;
                }
            }

            return mode;
        }
    }

    private bool Authorised(string? header)
        => AuthenticationHeaderValue.TryParse(header, out var value) && value.Scheme == "Basic" && value.Parameter is { } p
            && p == Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{apiKey}"));

    /// <summary>Body of <c>PUT .../behaviour</c>.</summary>
    public sealed record BehaviourRequest(SimulatedAuthorityMode? Mode, int? Requests, Dictionary<string, string>? Ratings);
}

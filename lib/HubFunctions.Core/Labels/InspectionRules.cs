using System.Diagnostics.CodeAnalysis;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Labels;

/// <summary>The outcome of one sampling inspection (LBL-4).</summary>
/// <param name="Sampled">Units sampled (≥ 1).</param>
/// <param name="Failed">Units that failed (0..Sampled).</param>
/// <param name="FailureRate">Failed ÷ sampled, exact as decimal allows (28 significant digits).</param>
/// <param name="RectificationRequired">True when the rate is strictly above 5% (compared exactly, in integers).</param>
public readonly record struct InspectionOutcome(int Sampled, int Failed, decimal FailureRate, bool RectificationRequired)
{
    /// <summary>The rate rounded to 4 decimal places for display (e.g. 1 in 19 → 0.0526); never used to decide.</summary>
    public decimal FailureRateRounded => Math.Round(FailureRate, 4, MidpointRounding.AwayFromZero);
}

/// <summary>What an inspection does to the seller's rectification order (LBL-4).</summary>
public enum RectificationTransition
{
    /// <summary>No order was open and none is needed.</summary>
    None,

    /// <summary>No order was open; this inspection opens one (<c>hub.rectification.opened</c>).</summary>
    Open,

    /// <summary>An order was open and this inspection (a re-inspection) keeps it open.</summary>
    RemainOpen,

    /// <summary>An order was open and this re-inspection at or below 5% closes it (<c>hub.rectification.closed</c>).</summary>
    Close,
}

/// <summary>
/// LBL-4: a sampling inspection failure rate (failures ÷ sampled) <b>above</b> 5% triggers a
/// rectification order for the seller, open until a re-inspection at or below 5%.
/// </summary>
public static class InspectionRules
{
    /// <summary>The threshold: rates strictly above it require rectification.</summary>
    public const decimal Threshold = 0.05m;

    /// <summary>Error code: sampled is less than 1.</summary>
    public const string InvalidSampleSize = "invalid-sample-size";

    /// <summary>Error code: failed is negative or more than sampled.</summary>
    public const string InvalidFailureCount = "invalid-failure-count";

    /// <summary>Error code: <c>failures</c> is not a list.</summary>
    public const string FailuresRequired = "failures-required";

    /// <summary>Error code: a failure without a reason (or with a blank or too long one).</summary>
    public const string ReasonRequired = "reason-required";

    /// <summary>Most units one inspection may sample.</summary>
    public const int MaxSampled = 100_000;

    /// <summary>Longest reason of one failure (characters).</summary>
    public const int MaxReasonLength = 500;

    /// <summary>At most this many field errors are reported for the failures of one inspection.</summary>
    public const int MaxReportedErrors = 20;

    /// <summary>Evaluates an inspection. 5 in 100 → no rectification; 6 in 100 → rectification; 1 in 19 (5.26%) → rectification.</summary>
    /// <exception cref="ArgumentOutOfRangeException">sampled &lt; 1, or failed outside 0..sampled.</exception>
    public static InspectionOutcome Evaluate(int sampled, int failed) =>
        TryEvaluate(sampled, failed, out var outcome, out var error)
            ? outcome
            : throw new ArgumentOutOfRangeException(error.Code == InvalidSampleSize ? nameof(sampled) : nameof(failed), error.Message);

    /// <summary>
    /// Evaluates an inspection, or says why the counts are impossible: <c>sampled</c> with
    /// <see cref="InvalidSampleSize"/>, or <c>failures</c> with <see cref="InvalidFailureCount"/>.
    /// </summary>
    public static bool TryEvaluate(int sampled, int failed, out InspectionOutcome outcome, [NotNullWhen(false)] out FieldError? error)
    {
        outcome = default;
        if (sampled < 1)
        {
            error = new FieldError("sampled", InvalidSampleSize, $"At least one unit must be sampled; got {sampled}.");
            return false;
        }

        if (failed < 0 || failed > sampled)
        {
            error = new FieldError("failures", InvalidFailureCount, failed < 0
                ? $"Failed units must be between 0 and the {sampled} sampled; got {failed}."
                : $"{failed} failures but only {sampled} units sampled.");
            return false;
        }

        // failed / sampled > 1/20  ⇔  20 · failed > sampled: exact, no rounding involved.
        var required = 20L * failed > sampled;
        outcome = new InspectionOutcome(sampled, failed, (decimal)failed / sampled, required);
        error = null;
        return true;
    }

    /// <summary>
    /// Checks an inspection as sent, before it is recorded: key-safe <c>receiptId</c> and
    /// <c>sellerId</c>, 1 to <see cref="MaxSampled"/> units sampled, a list of failures no longer
    /// than the sample (<see cref="TryEvaluate"/>), each with a reason of 1 to
    /// <see cref="MaxReasonLength"/> characters (at most <see cref="MaxReportedErrors"/> errors).
    /// </summary>
    /// <param name="failureReasons">The reason of each failure as sent (null for a missing failure or reason); null when <c>failures</c> is missing.</param>
    /// <returns>The fields that break a rule; empty when the inspection may be recorded.</returns>
    public static IReadOnlyList<FieldError> Validate(string? receiptId, string? sellerId, int? sampled, IReadOnlyList<string?>? failureReasons)
    {
        var errors = new List<FieldError>();
        Ids.RequireKey("receiptId", receiptId, errors);
        Ids.RequireKey("sellerId", sellerId, errors);
        if (sampled is not (>= 1 and <= MaxSampled))
        {
            errors.Add(new("sampled", InvalidSampleSize, $"sampled must be a whole number from 1 to {MaxSampled:N0}."));
        }

        if (failureReasons is null)
        {
            errors.Add(new("failures", FailuresRequired, "failures must be a list (empty when every sampled unit passed)."));
            return errors;
        }

        if (sampled is >= 1 && !TryEvaluate(sampled.Value, failureReasons.Count, out _, out var countError))
        {
            errors.Add(countError);
        }

        for (var i = 0; i < failureReasons.Count && errors.Count < MaxReportedErrors; i++)
        {
            if (failureReasons[i] is not { Length: > 0 and <= MaxReasonLength } reason || string.IsNullOrWhiteSpace(reason))
            {
                errors.Add(new($"failures[{i}].reason", ReasonRequired, $"Each failure needs a reason of 1-{MaxReasonLength} characters."));
            }
        }

        return errors;
    }

    /// <summary>What the inspection does to the seller's rectification order, given whether one is open.</summary>
    public static RectificationTransition Transition(bool orderOpen, InspectionOutcome outcome) =>
        (orderOpen, outcome.RectificationRequired) switch
        {
            (false, false) => RectificationTransition.None,
            (false, true) => RectificationTransition.Open,
            (true, true) => RectificationTransition.RemainOpen,
            (true, false) => RectificationTransition.Close,
        };
}

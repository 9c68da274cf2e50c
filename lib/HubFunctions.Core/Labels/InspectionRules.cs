using System.Diagnostics.CodeAnalysis;

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

    /// <summary>Evaluates an inspection. 5 in 100 → no rectification; 6 in 100 → rectification; 1 in 19 (5.26%) → rectification.</summary>
    /// <exception cref="ArgumentOutOfRangeException">sampled &lt; 1, or failed outside 0..sampled.</exception>
    public static InspectionOutcome Evaluate(int sampled, int failed) =>
        TryEvaluate(sampled, failed, out var outcome, out var error)
            ? outcome
            : throw new ArgumentOutOfRangeException(error.Code == InvalidSampleSize ? nameof(sampled) : nameof(failed), error.Message);

    /// <summary>Evaluates an inspection, or says why the counts are impossible (for a 400 answer).</summary>
    public static bool TryEvaluate(int sampled, int failed, out InspectionOutcome outcome, [NotNullWhen(false)] out LabelError? error)
    {
        outcome = default;
        if (sampled < 1)
        {
            error = new LabelError(InvalidSampleSize, $"At least one unit must be sampled; got {sampled}.");
            return false;
        }

        if (failed < 0 || failed > sampled)
        {
            error = new LabelError(InvalidFailureCount, $"Failed units must be between 0 and the {sampled} sampled; got {failed}.");
            return false;
        }

        // failed / sampled > 1/20  ⇔  20 · failed > sampled: exact, no rounding involved.
        var required = 20L * failed > sampled;
        outcome = new InspectionOutcome(sampled, failed, (decimal)failed / sampled, required);
        error = null;
        return true;
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

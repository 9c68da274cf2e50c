using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using HubFunctions.Core.Hubs;

namespace HubFunctions.Core.Admission;

/// <summary>
/// The exclusive hub seller id an approved seller gets (ADM-8): <c>{HUBPREFIX}-{6 digits}</c>, e.g.
/// <c>HGH-000042</c>, sequential per hub from 1 to <see cref="MaxSequence"/>. Allocating the next
/// sequence (gapless, never reused) is the approval's job (ADM-8); this
/// type only formats and parses.
/// </summary>
public static class HubSellerId
{
    /// <summary>The first sequence of a hub.</summary>
    public const int MinSequence = 1;

    /// <summary>The last sequence that fits in 6 digits.</summary>
    public const int MaxSequence = 999_999;

    /// <summary><c>HGH-000042</c> for hangzhou and 42.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sequence is outside 1..999,999.</exception>
    public static string Format(Hub hub, int sequence)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, MinSequence);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, MaxSequence);
        return string.Create(CultureInfo.InvariantCulture, $"{hub.SellerIdPrefix}-{sequence:D6}");
    }

    /// <summary>
    /// Parses exactly <c>{PREFIX}-{6 digits}</c> with the prefix of one of the four hubs (upper case)
    /// and a sequence of 1..999,999 (<c>HGH-000000</c> is refused).
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Hub? hub, out int sequence)
    {
        hub = null;
        sequence = 0;
        if (text is not { Length: 10 } || text[3] != '-' || text.AsSpan(4).ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        var prefix = text[..3];
        var found = Hubs.Hubs.All.FirstOrDefault(h => string.Equals(h.SellerIdPrefix, prefix, StringComparison.Ordinal));
        var number = int.Parse(text.AsSpan(4), CultureInfo.InvariantCulture);
        if (found is null || number < MinSequence)
        {
            return false;
        }

        hub = found;
        sequence = number;
        return true;
    }
}

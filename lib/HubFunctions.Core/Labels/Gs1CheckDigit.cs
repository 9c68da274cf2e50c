namespace HubFunctions.Core.Labels;

/// <summary>
/// The GS1 mod-10 check digit (GS1 General Specifications 7.9.1) of GTIN (01) and the other
/// GS1 keys (LBL-1). Weights 3 and 1 alternate from the rightmost data digit, so every single-digit
/// error is detected.
/// </summary>
public static class Gs1CheckDigit
{
    /// <summary>The check digit (0..9) for ASCII data digits without their check digit.</summary>
    /// <exception cref="ArgumentException">A character is not an ASCII digit, or there is no digit.</exception>
    public static int Compute(ReadOnlySpan<char> dataDigits)
    {
        if (dataDigits.IsEmpty || Gs1CharacterSet.IndexOfNonDigit(dataDigits) >= 0)
        {
            throw new ArgumentException("Expected one or more ASCII digits.", nameof(dataDigits));
        }

        return ComputeUnchecked(dataDigits);
    }

    /// <summary>True when the last digit is the check digit of the others. False for non-digits or fewer than 2 digits.</summary>
    public static bool IsValid(ReadOnlySpan<char> digits) =>
        digits.Length >= 2
        && Gs1CharacterSet.IndexOfNonDigit(digits) < 0
        && ComputeUnchecked(digits[..^1]) == digits[^1] - '0';

    private static int ComputeUnchecked(ReadOnlySpan<char> dataDigits)
    {
        var sum = 0;
        var weight = 3;
        for (var i = dataDigits.Length - 1; i >= 0; i--)
        {
            sum += (dataDigits[i] - '0') * weight;
            weight = 4 - weight;
        }

        return (10 - sum % 10) % 10;
    }
}

namespace HubFunctions.Core.Common;

/// <summary>
/// Identifiers that callers choose and that end up in storage keys (seller ids, receipt ids, order
/// ids, ...). Checked in Core so that every entry point (HTTP, queue, timer) applies the same rule.
/// </summary>
public static class Ids
{
    public const int MaxLength = 64;
    public const string InvalidId = "invalid-id";

    /// <summary>1–64 of ASCII letters, digits and <c>. _ : -</c>, starting with a letter or digit.</summary>
    public static bool IsKeySafe(string? id)
        => id is { Length: > 0 and <= MaxLength } && char.IsAsciiLetterOrDigit(id[0]) && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');

    /// <summary>Adds an <c>invalid-id</c> error for <paramref name="field"/> unless its value <see cref="IsKeySafe"/>.</summary>
    public static void RequireKey(string field, string? value, ICollection<FieldError> errors)
    {
        if (!IsKeySafe(value))
        {
            errors.Add(new FieldError(field, InvalidId, $"{field} must be 1-{MaxLength} letters, digits or . _ : - (starting with a letter or digit)."));
        }
    }
}

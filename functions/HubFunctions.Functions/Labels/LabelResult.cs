using HubFunctions.Core.Labels;

namespace HubFunctions.Functions.Labels;

/// <summary>
/// One label's result as API.md shapes it. <c>input</c> is echoed up to
/// <see cref="LabelValidation.MaxEchoLength"/> characters, then cut with <c>…</c>.
/// </summary>
public sealed record LabelResult(
    string Input, bool Valid, string? Form, string? Gtin, string? Batch, DateOnly? ProductionDate, DateOnly? ExpiryDate, string? Serial,
    IReadOnlyList<LabelErrorResult> Errors)
{
    public static LabelResult From(LabelValidation v) => new(v.EchoedInput, v.Valid, FormName(v.Form), v.Gtin, v.Batch, v.ProductionDate, v.ExpiryDate, v.Serial,
        [.. v.Errors.Select(e => new LabelErrorResult(e.Code, e.Message, e.Ai))]);

    /// <summary>The form as a kebab-case wire name: <c>bracketed</c>, <c>element-string</c>, <c>digital-link</c>.</summary>
    public static string? FormName(Gs1InputForm? form) => form switch
    {
        Gs1InputForm.Bracketed => "bracketed",
        Gs1InputForm.ElementString => "element-string",
        Gs1InputForm.DigitalLink => "digital-link",
        null => null,
        var other => other.ToString()!.ToLowerInvariant(),
    };
}

public sealed record LabelErrorResult(string Code, string Message, string? Ai);

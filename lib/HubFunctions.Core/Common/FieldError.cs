namespace HubFunctions.Core.Common;

/// <summary>
/// One field of an input that breaks a rule: the field's name as the caller sent it
/// (<c>items[0].quantity</c>), a stable kebab-case code or rule id, and a message for a person.
/// Every capability reports validation failures with this type; the HTTP layer turns a list of
/// them into a 422 problem (API.md, "Errors").
/// </summary>
public sealed record FieldError(string Field, string Code, string Message);

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HubFunctions.Infrastructure.Idempotency;

namespace HubFunctions.Functions.Hosting;

/// <summary>
/// What the idempotency store keeps of a response marked <see cref="RedactOnReplayAttribute"/>: the
/// named top-level JSON properties set to <c>null</c>, each with <c>"{name}Shown": true</c> after it,
/// so a replay answers with the same status, headers and ids but never the value shown once.
/// </summary>
public static class ReplayRedaction
{
    public static StoredResponse Redact(StoredResponse response, IReadOnlyList<string>? properties)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (properties is not { Count: > 0 } || response.Body.Length == 0)
        {
            return response;
        }

        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(response.Body);
        }
        catch (JsonException)
        {
            // Not JSON: it holds none of the named properties.
            return response;
        }

        if (parsed is not JsonObject body || !properties.Any(p => body[p] is not null))
        {
            return response;
        }

        var redacted = new JsonObject();
        foreach (var (name, value) in body.ToList())
        {
            body.Remove(name);
            var hidden = properties.Contains(name, StringComparer.Ordinal) && value is not null;
            redacted[name] = hidden ? null : value;
            if (hidden)
            {
                redacted[name + "Shown"] = true;
            }
        }

        return response with { Body = Encoding.UTF8.GetBytes(redacted.ToJsonString(HubJson.Options)) };
    }
}

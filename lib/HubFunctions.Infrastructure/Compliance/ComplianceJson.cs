using System.Text.Json;
using System.Text.Json.Serialization;

namespace HubFunctions.Infrastructure.Compliance;

/// <summary>How freeze reasons and audit entries are stored in table columns (JSON, enums by name).</summary>
internal static class ComplianceJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };
}

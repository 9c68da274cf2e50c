using HubFunctions.Core.Access;

namespace HubFunctions.Functions.Hosting;

/// <summary>An HTTP function anyone may call unsigned (API.md: health and calendar only).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PublicEndpointAttribute : Attribute;

/// <summary>The roles allowed to call a signed HTTP function. Without it, any signed client may.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AllowRolesAttribute(params HubRole[] roles) : Attribute
{
    public IReadOnlyList<HubRole> Roles { get; } = roles;
}

/// <summary>The largest request body a function accepts (default <see cref="EndpointPolicy.DefaultMaxBodyBytes"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MaxRequestBodyAttribute(long bytes) : Attribute
{
    public long Bytes { get; } = bytes;
}

/// <summary>
/// A POST that changes nothing (it only carries a large query, e.g. label validation): its outcome
/// is not recorded under the webhook-id, since repeating it is harmless.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SideEffectFreeAttribute : Attribute;

/// <summary>
/// A large body (uploads): the pipeline verifies its signature while spooling it to a temporary
/// file (<c>FileBufferingReadStream</c>: the first 64 KiB in memory, the rest on disk) instead of
/// holding it in memory, and the function reads it as a stream (<c>HttpRequest.Body</c>, rewound).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StreamedBodyAttribute : Attribute;

/// <summary>
/// A response that must not be replayed verbatim: the named top-level JSON properties (a secret
/// shown once) are kept for the webhook-id replay as <c>null</c>, each with <c>"{name}Shown": true</c>
/// beside it. The first answer is sent whole; a replay has the same status, headers and other
/// fields, and the idempotency store never holds the values.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RedactOnReplayAttribute(params string[] properties) : Attribute
{
    public IReadOnlyList<string> Properties { get; } = properties;
}

/// <summary>What the shared request pipeline enforces for one HTTP function.</summary>
public sealed record EndpointPolicy(bool Public, IReadOnlyList<HubRole> Roles, long MaxBodyBytes, bool SideEffectFree = false, bool StreamedBody = false,
    IReadOnlyList<string>? RedactOnReplay = null)
{
    /// <summary>1 MiB: far above any JSON body of the contract; uploads declare their own limit.</summary>
    public const long DefaultMaxBodyBytes = 1024 * 1024;
}

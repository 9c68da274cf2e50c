using HubFunctions.Core.Access;
using Microsoft.Extensions.Options;

namespace HubFunctions.Infrastructure.Security;

/// <summary>One signed client as configured under <c>Hub:Clients:{clientId}</c>.</summary>
public sealed class ClientOptions
{
    /// <summary>The current <c>whsec_</c> signing secret.</summary>
    public string? Secret { get; set; }

    /// <summary>The previous secret, still accepted while a rotation is under way.</summary>
    public string? PreviousSecret { get; set; }

    public string? Role { get; set; }
    public string? SellerId { get; set; }
    public string? Hub { get; set; }
}

/// <summary>Settings under <c>Hub</c> (<c>Hub:Clients:{clientId}:...</c>), bound once with the options pattern.</summary>
public sealed class HubClientsOptions
{
    /// <summary>The configuration section the clients are bound from.</summary>
    public const string Section = "Hub";

    public Dictionary<string, ClientOptions> Clients { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A known client: who it is and the keys its signatures may be made with.</summary>
public sealed record RegisteredClient(HubCaller Caller, IReadOnlyList<byte[]> Keys);

/// <summary>Looks up signed clients. Configuration today; sellers approved later add their own.</summary>
public interface IClientDirectory
{
    ValueTask<RegisteredClient?> FindAsync(string clientId, CancellationToken cancellationToken);
}

/// <summary>Clients from configuration (<c>Hub__Clients__{id}__Secret</c>, <c>__Role</c>, ...).</summary>
public sealed class ConfiguredClientDirectory : IClientDirectory
{
    private readonly Dictionary<string, RegisteredClient> _clients;

    public ConfiguredClientDirectory(IOptions<HubClientsOptions> options)
    {
        _clients = new Dictionary<string, RegisteredClient>(StringComparer.Ordinal);
        foreach (var (id, client) in options.Value.Clients)
        {
            _clients[id] = Build(id, client);
        }
    }

    public ValueTask<RegisteredClient?> FindAsync(string clientId, CancellationToken cancellationToken)
        => ValueTask.FromResult(_clients.GetValueOrDefault(clientId));

    private static RegisteredClient Build(string id, ClientOptions client)
    {
        if (!HubRoles.TryParse(client.Role, out var role))
        {
            throw new OptionsValidationException(id, typeof(ClientOptions),
                [$"Client '{id}' has role '{client.Role}'; expected one of platform, seller, hub-operator, wms, reviewer."]);
        }

        if (string.IsNullOrWhiteSpace(client.Secret))
        {
            throw new OptionsValidationException(id, typeof(ClientOptions), [$"Client '{id}' has no Secret."]);
        }

        if (role is HubRole.Seller or HubRole.Wms && string.IsNullOrWhiteSpace(client.SellerId))
        {
            throw new OptionsValidationException(id, typeof(ClientOptions), [$"Client '{id}' ({client.Role}) must be bound to a SellerId."]);
        }

        if (role is HubRole.HubOperator && !Core.Hubs.Hubs.Exists(client.Hub))
        {
            throw new OptionsValidationException(id, typeof(ClientOptions), [$"Client '{id}' (hub-operator) must be bound to a known Hub, not '{client.Hub}'."]);
        }

        var keys = new List<byte[]> { DecodeOrThrow(id, client.Secret) };
        if (!string.IsNullOrWhiteSpace(client.PreviousSecret))
        {
            keys.Add(DecodeOrThrow(id, client.PreviousSecret));
        }

        var caller = new HubCaller(id, role,
            role is HubRole.Seller or HubRole.Wms ? client.SellerId : null,
            role is HubRole.HubOperator ? client.Hub : null);
        return new RegisteredClient(caller, keys);
    }

    private static byte[] DecodeOrThrow(string id, string secret)
    {
        try
        {
            return WebhookSignature.DecodeSecret(secret);
        }
        catch (FormatException)
        {
            throw new OptionsValidationException(id, typeof(ClientOptions), [$"Client '{id}' has a secret that is not whsec_ + base64."]);
        }
    }
}

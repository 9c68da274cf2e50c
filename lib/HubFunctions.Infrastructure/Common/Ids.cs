using System.Security.Cryptography;
using HubFunctions.Core.Common;

namespace HubFunctions.Infrastructure.Common;

/// <summary>Ids derived from the current <see cref="HubOperation"/>, random outside one.</summary>
public sealed class OperationIdSource : IIdSource
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

    public string NewId(string prefix)
    {
        var bytes = HubOperation.Current is { } op ? HubOperation.Derive(op.Key, "id:" + prefix, op.Draw("id:" + prefix)) : RandomNumberGenerator.GetBytes(32);
        var chars = new char[20];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[bytes[i] & 31];
        }

        return $"{prefix}-{new string(chars)}";
    }

    public Guid NewGuid()
    {
        if (HubOperation.Current is not { } op)
        {
            return Guid.NewGuid();
        }

        var bytes = HubOperation.Derive(op.Key, "guid", op.Draw("guid")).AsSpan(0, 16).ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x80); // version 8 (custom, RFC 9562), little-endian field order
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }
}

/// <summary>Jitter from the shared thread-safe generator.</summary>
public sealed class SharedRandomSource : IRandomSource
{
    public int Next(int minInclusive, int maxExclusive) => Random.Shared.Next(minInclusive, maxExclusive);
}

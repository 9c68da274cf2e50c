using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HubFunctions.Infrastructure.Security;

/// <summary>Why a signed request was not accepted (all answered with 401).</summary>
public enum SignatureFailure
{
    None,
    MissingHeaders,
    UnknownClient,
    MalformedTimestamp,
    TimestampTooOld,
    TimestampInFuture,
    NoMatchingSignature,
}

/// <summary>
/// Standard Webhooks signatures: HMAC-SHA256 over <c>{id}.{timestamp}.{raw body bytes}</c>, keyed
/// with the base64-decoded part of a <c>whsec_</c> secret, sent as space-separated
/// <c>v1,&lt;base64&gt;</c> entries. Works on raw bytes, so binary bodies (multipart uploads) sign
/// and verify exactly.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>Decodes a <c>whsec_...</c> (or bare base64) secret into its key bytes.</summary>
    public static byte[] DecodeSecret(string secret)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secret);
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        return Convert.FromBase64String(encoded);
    }

    /// <summary>Makes a new random secret in the <c>whsec_</c> form (24 random bytes).</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    /// <summary>Longest <c>webhook-timestamp</c> accepted: Unix seconds, with room for leading zeros.</summary>
    public const int MaxTimestampLength = 32;

    /// <summary>The <c>v1,...</c> signature of a message sent with <paramref name="timestamp"/> written in decimal.</summary>
    public static string Sign(byte[] key, string messageId, long timestamp, ReadOnlySpan<byte> body)
        => Sign(key, messageId, timestamp.ToString(CultureInfo.InvariantCulture), body);

    /// <summary>The <c>v1,...</c> signature of a message over the <c>webhook-timestamp</c> header text exactly as sent.</summary>
    public static string Sign(byte[] key, string messageId, string timestampHeader, ReadOnlySpan<byte> body)
        => "v1," + Convert.ToBase64String(ComputeMac(key, messageId, timestampHeader, body));

    /// <summary>
    /// Checks the timestamp against <paramref name="now"/> (±5 minutes) and looks for at least one
    /// <c>v1</c> signature that matches any of <paramref name="keys"/>, comparing in constant time.
    /// The signed content is <c>{id}.{timestamp}.{body}</c> with the header texts exactly as
    /// received (Standard Webhooks), never a reformatted number: <c>0001764300000</c> is signed as
    /// those 13 characters. The timestamp must be ASCII digits only (no sign, spaces or exponent).
    /// </summary>
    public static SignatureFailure Verify(
        IReadOnlyList<byte[]> keys, string messageId, string timestampHeader, string signatureHeader,
        ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var macs = new List<byte[]>(keys.Count);
        foreach (var key in keys)
        {
            macs.Add(ComputeMac(key, messageId, timestampHeader, body));
        }

        return VerifyMacs(macs, timestampHeader, signatureHeader, now);
    }

    /// <summary>
    /// An HMAC for <paramref name="key"/> with <c>{id}.{timestamp}.</c> already appended: append the
    /// body as it streams, then pass <c>GetHashAndReset()</c> to <see cref="VerifyMacs"/>. A large body
    /// is verified without being held in memory.
    /// </summary>
    public static IncrementalHash BeginMac(byte[] key, string messageId, string timestampHeader)
    {
        var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes($"{messageId}.{timestampHeader}."));
        return hmac;
    }

    /// <summary>As <see cref="Verify"/>, with the expected MACs (one per key) computed by the caller.</summary>
    public static SignatureFailure VerifyMacs(IReadOnlyList<byte[]> expectedMacs, string timestampHeader, string signatureHeader, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(expectedMacs);
        ArgumentNullException.ThrowIfNull(signatureHeader);
        if (timestampHeader.Length is 0 or > MaxTimestampLength || !timestampHeader.All(char.IsAsciiDigit)
            || !long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return SignatureFailure.MalformedTimestamp;
        }

        var nowSeconds = now.ToUnixTimeSeconds();
        if (timestamp < nowSeconds - (long)Tolerance.TotalSeconds)
        {
            return SignatureFailure.TimestampTooOld;
        }

        if (timestamp > nowSeconds + (long)Tolerance.TotalSeconds)
        {
            return SignatureFailure.TimestampInFuture;
        }

        Span<byte> candidate = stackalloc byte[32];
        var matched = false;
        foreach (var expected in expectedMacs)
        {
            foreach (var entry in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!entry.StartsWith("v1,", StringComparison.Ordinal))
                {
                    continue;
                }

                if (!Convert.TryFromBase64String(entry[3..], candidate, out var written) || written != expected.Length)
                {
                    continue;
                }

                // Keep looping after a match: the time taken does not depend on which entry matched.
                matched |= CryptographicOperations.FixedTimeEquals(candidate[..written], expected);
            }
        }

        return matched ? SignatureFailure.None : SignatureFailure.NoMatchingSignature;
    }

    private static byte[] ComputeMac(byte[] key, string messageId, string timestampHeader, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{messageId}.{timestampHeader}.");
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}

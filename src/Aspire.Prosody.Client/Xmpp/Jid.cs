using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Aspire.Prosody.Client;

/// <summary>An XMPP address (RFC 7622): <c>[local@]domain[/resource]</c>.</summary>
/// <remarks>
/// Structure, lengths (1023 bytes of UTF-8 per part) and the characters RFC 7622 forbids are checked; the full PRECIS
/// profiles are not applied. The domain is lower-cased and a trailing dot removed (RFC 7622 section 3.2). Every part is
/// also free of characters XML cannot carry, so a valid <see cref="Jid"/> can always be sent.
/// </remarks>
public readonly record struct Jid
{
    private const int MaxPartBytes = 1023;

    // RFC 7622 section 3.3.1: characters a localpart may not contain (besides spaces and controls).
    private const string ForbiddenInLocal = "\"&'/:<>@";

    private readonly string? _domain;

    private Jid(string? local, string domain, string? resource)
    {
        Local = local;
        _domain = domain;
        Resource = resource;
    }

    /// <summary>The local part (the account or room name), or <see langword="null"/> for a server address.</summary>
    public string? Local { get; }

    /// <summary>The domain part, lower-cased.</summary>
    public string Domain => _domain ?? "";

    /// <summary>The resource part (device or room nickname), or <see langword="null"/> for a bare JID.</summary>
    public string? Resource { get; }

    /// <summary><see langword="true"/> when there is no resource part.</summary>
    public bool IsBare => Resource is null;

    /// <summary>This address without its resource part.</summary>
    public Jid Bare => new(Local, Domain, null);

    /// <summary>This bare address with <paramref name="resource"/> as its resource part.</summary>
    /// <exception cref="ArgumentException">The resource is empty, too long or contains forbidden characters.</exception>
    public Jid WithResource(string resource) => Create(Local, Domain, resource);

    /// <summary>Builds an address from its parts, validating each.</summary>
    /// <param name="local">The local part, or <see langword="null"/>.</param>
    /// <param name="domain">The domain part.</param>
    /// <param name="resource">The resource part, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">A part is empty, too long or contains forbidden characters.</exception>
    public static Jid Create(string? local, string domain, string? resource = null)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var error = Validate(local, NormalizeDomain(domain), resource, out var normalized);
        return error is null
            ? normalized
            : throw new ArgumentException($"Not a valid JID ({local}@{domain}/{resource}): {error}", nameof(local));
    }

    /// <summary>Parses <c>[local@]domain[/resource]</c>.</summary>
    /// <param name="text">The address.</param>
    /// <exception cref="FormatException">The text is not a valid JID; the message says why.</exception>
    public static Jid Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var jid, out var error) ? jid : throw new FormatException($"Not a valid JID: {error}");
    }

    /// <summary>Parses <c>[local@]domain[/resource]</c>, returning <see langword="false"/> instead of throwing.</summary>
    /// <param name="text">The address.</param>
    /// <param name="jid">The parsed address.</param>
    public static bool TryParse([NotNullWhen(true)] string? text, out Jid jid) => TryParse(text, out jid, out _);

    private static bool TryParse(string? text, out Jid jid, out string error)
    {
        jid = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "it is empty.";
            return false;
        }

        // The resource may itself contain '@' and '/': split on the first '/', then on '@' before it (RFC 7622 3.1).
        string? resource = null;
        var bare = text;
        var slash = text.IndexOf('/');
        if (slash >= 0)
        {
            resource = text[(slash + 1)..];
            bare = text[..slash];
        }

        string? local = null;
        var domain = bare;
        var at = bare.IndexOf('@');
        if (at >= 0)
        {
            local = bare[..at];
            domain = bare[(at + 1)..];
        }

        var message = Validate(local, NormalizeDomain(domain), resource, out jid);
        error = message ?? "";
        return message is null;
    }

    private static string NormalizeDomain(string domain)
        => (domain.EndsWith('.') ? domain[..^1] : domain).ToLowerInvariant();

    private static string? Validate(string? local, string domain, string? resource, out Jid jid)
    {
        jid = default;
        if (local is not null)
        {
            if (local.Length == 0)
            {
                return "the local part is empty.";
            }

            if (local.AsSpan().IndexOfAny(ForbiddenInLocal) >= 0 || HasSpaceOrControl(local))
            {
                return $"the local part may not contain spaces, control characters or any of {ForbiddenInLocal}.";
            }
        }

        if (domain.Length == 0)
        {
            return "the domain part is empty.";
        }

        if (domain.AsSpan().IndexOfAny("@/\"&'<>") >= 0 || HasSpaceOrControl(domain))
        {
            return "the domain part may not contain spaces, control characters, '@', '/', quotes, '&', '<' or '>'.";
        }

        if (resource is not null)
        {
            if (resource.Length == 0)
            {
                return "the resource part is empty.";
            }

            // Resources are free-form (PRECIS FreeformClass) but never control characters.
            if (resource.Any(char.IsControl))
            {
                return "the resource part may not contain control characters.";
            }
        }

        foreach (var part in (ReadOnlySpan<string?>)[local, domain, resource])
        {
            if (part is null)
            {
                continue;
            }

            if (!IsXmlSafe(part))
            {
                return "a part contains characters XML cannot carry (e.g. U+FFFE or a lone surrogate).";
            }

            if (Encoding.UTF8.GetByteCount(part) > MaxPartBytes)
            {
                return "a part is longer than 1023 bytes.";
            }
        }

        jid = new Jid(local, domain, resource);
        return null;
    }

    private static bool HasSpaceOrControl(string text) => text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    private static bool IsXmlSafe(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c) || c is '\uFFFE' or '\uFFFF' || (c < 0x20 && c is not ('\t' or '\n' or '\r')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The address in its textual form, e.g. <c>alice@example.com/phone</c>.</summary>
    public override string ToString()
        => (Local is null ? "" : Local + "@") + Domain + (Resource is null ? "" : "/" + Resource);
}

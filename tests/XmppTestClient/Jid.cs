using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace XmppTestClient;

/// <summary>
/// An XMPP address (RFC 7622): <c>[local@]domain[/resource]</c>.
/// </summary>
/// <remarks>
/// Only the structure is checked; PRECIS/stringprep profiles are not applied, because the tests
/// use plain ASCII account names. The domain is lower-cased (it is a DNS name) and a trailing dot
/// is removed, as RFC 7622 section 3.2 asks; local part and resource are kept verbatim.
/// </remarks>
public sealed record Jid
{
    // RFC 7622: each part is at most 1023 octets once encoded as UTF-8.
    private const int MaxPartBytes = 1023;

    private Jid(string? local, string domain, string? resource)
    {
        Local = local;
        Domain = domain;
        Resource = resource;
    }

    /// <summary>The local part (the account name), or <see langword="null"/> for a server address.</summary>
    public string? Local { get; }

    /// <summary>The domain part, lower-cased.</summary>
    public string Domain { get; }

    /// <summary>The resource part, or <see langword="null"/> for a bare JID.</summary>
    public string? Resource { get; }

    /// <summary>True when there is no resource part.</summary>
    public bool IsBare => Resource is null;

    /// <summary>This address without its resource.</summary>
    public Jid Bare => IsBare ? this : new Jid(Local, Domain, null);

    /// <summary>Builds a JID from its parts, validating each of them.</summary>
    /// <exception cref="FormatException">A part is empty or too long.</exception>
    public static Jid Create(string? local, string domain, string? resource = null)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var text = (local is null ? "" : local + "@") + domain + (resource is null ? "" : "/" + resource);
        // Parsing the assembled text keeps all validation in one place; a local part containing
        // '@' or '/' is rejected here because it would parse back differently.
        var jid = Parse(text);
        if (jid.Local != local || jid.Resource != resource)
        {
            throw new FormatException($"'{text}' is not a valid JID: the parts contain separators.");
        }

        return jid;
    }

    /// <summary>Parses <c>[local@]domain[/resource]</c>.</summary>
    /// <exception cref="FormatException">The text is not a valid JID.</exception>
    public static Jid Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var jid, out var error)
            ? jid
            : throw new FormatException($"'{text}' is not a valid JID: {error}");
    }

    /// <summary>Parses <c>[local@]domain[/resource]</c>, returning false instead of throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Jid? jid)
        => TryParse(text, out jid, out _);

    private static bool TryParse(string? text, [NotNullWhen(true)] out Jid? jid, out string error)
    {
        jid = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "it is empty.";
            return false;
        }

        // The resource may itself contain '@' and '/', so split on the FIRST '/' and only then
        // look for '@' in what precedes it (RFC 7622 section 3.1).
        string? resource = null;
        var slash = text.IndexOf('/');
        var beforeResource = text;
        if (slash >= 0)
        {
            resource = text[(slash + 1)..];
            beforeResource = text[..slash];
        }

        string? local = null;
        var domain = beforeResource;
        var at = beforeResource.IndexOf('@');
        if (at >= 0)
        {
            local = beforeResource[..at];
            domain = beforeResource[(at + 1)..];
        }

        if (domain.EndsWith('.'))
        {
            domain = domain[..^1];
        }

        domain = domain.ToLowerInvariant();

        if (domain.Length == 0 || domain.Contains('@'))
        {
            error = "the domain part is empty or invalid.";
            return false;
        }

        if (local is { Length: 0 })
        {
            error = "the local part is empty.";
            return false;
        }

        if (resource is { Length: 0 })
        {
            error = "the resource part is empty.";
            return false;
        }

        foreach (var part in new[] { local, domain, resource })
        {
            if (part is not null && Encoding.UTF8.GetByteCount(part) > MaxPartBytes)
            {
                error = "a part is longer than 1023 bytes.";
                return false;
            }
        }

        jid = new Jid(local, domain, resource);
        error = "";
        return true;
    }

    /// <summary>The address in its textual form, e.g. <c>alice@example.com/phone</c>.</summary>
    public override string ToString()
        => (Local is null ? "" : Local + "@") + Domain + (Resource is null ? "" : "/" + Resource);
}

namespace XmppTestClient;

/// <summary>One contact in the roster (RFC 6121 section 2.1.2).</summary>
/// <param name="Jid">The contact's bare JID.</param>
/// <param name="Name">The handle the user gave the contact, if any.</param>
/// <param name="Subscription"><c>none</c>, <c>to</c>, <c>from</c>, <c>both</c> or <c>remove</c>.</param>
/// <param name="Ask"><c>subscribe</c> while an outbound subscription request is pending.</param>
/// <param name="Groups">The roster groups the contact is in.</param>
public sealed record RosterItem(string Jid, string? Name, string Subscription, string? Ask, IReadOnlyList<string> Groups)
{
    internal static RosterItem FromElement(XElement item) => new(
        item.Attribute("jid")?.Value ?? "",
        item.Attribute("name")?.Value,
        item.Attribute("subscription")?.Value ?? "none",
        item.Attribute("ask")?.Value,
        [.. item.Elements(XmppTestNamespaces.Roster + "group").Select(g => g.Value)]);
}

/// <summary>An identity from a disco#info result (XEP-0030), e.g. category <c>server</c>, type <c>im</c>.</summary>
/// <param name="Category">The identity category.</param>
/// <param name="Type">The identity type within the category.</param>
/// <param name="Name">The optional natural-language name.</param>
public sealed record DiscoIdentity(string Category, string Type, string? Name);

/// <summary>The answer to a disco#info query (XEP-0030).</summary>
/// <param name="Identities">What the entity is.</param>
/// <param name="Features">The protocol namespaces it supports.</param>
/// <param name="Query">The raw <c>&lt;query/&gt;</c> element, e.g. to read data forms (XEP-0128).</param>
public sealed record DiscoInfo(IReadOnlyList<DiscoIdentity> Identities, IReadOnlySet<string> Features, XElement Query)
{
    /// <summary>Whether <paramref name="feature"/> is among <see cref="Features"/>.</summary>
    public bool HasFeature(string feature) => Features.Contains(feature);

    internal static DiscoInfo FromQuery(XElement query) => new(
        [.. query.Elements(XmppNamespaces.DiscoInfo + "identity").Select(i => new DiscoIdentity(
            i.Attribute("category")?.Value ?? "",
            i.Attribute("type")?.Value ?? "",
            i.Attribute("name")?.Value))],
        query.Elements(XmppNamespaces.DiscoInfo + "feature")
            .Select(f => f.Attribute("var")?.Value ?? "")
            .ToHashSet(StringComparer.Ordinal),
        query);
}

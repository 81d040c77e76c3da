using static Aspire.Prosody.Client.XmppNamespaces;
using static XmppTestClient.XmppTestNamespaces;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>The client side of the XEPs the server feature tests speak: group chat, its archive, HTTP upload.</summary>
internal static class ServerFeatureProtocols
{


    /// <summary>
    /// Enters a room (XEP-0045 section 7.2) and returns the answer to the join: the occupant's own presence
    /// (status 110, plus 201 when the join created the room) or a presence error.
    /// </summary>
    public static async Task<XElement> EnterRoomAsync(XmppClient client, string room, string nick)
    {
        var occupant = $"{room}/{nick}";
        await client.SendAsync(new XElement(XmppNamespaces.Client + "presence", new XAttribute("to", occupant), new XElement(Muc + "x")), Cancel);
        return await client.WaitForPresenceAsync(
            p => p.IsFrom(occupant) && (p.GetStanzaType() == "error" || MucStatusCodes(p).Contains("110")), StanzaTimeout, Cancel);
    }

    public static IReadOnlyList<string> MucStatusCodes(XElement presence) =>
        [.. presence.Elements(MucUser + "x").Elements(MucUser + "status").Select(s => (string?)s.Attribute("code") ?? "")];

    /// <summary>The defined condition of a stanza error, e.g. <c>not-allowed</c>; null when the stanza is no error.</summary>
    public static string? ErrorCondition(XElement stanza) =>
        stanza.GetStanzaType() == "error"
            ? stanza.Element(XmppNamespaces.Client + "error")?.Elements().FirstOrDefault(e => e.Name.Namespace == XmppNamespaces.StanzaErrors)?.Name.LocalName
            : null;

    /// <summary>The human-readable text of a stanza error, if any.</summary>
    public static string? ErrorText(XElement stanza) =>
        stanza.Element(XmppNamespaces.Client + "error")?.Element(XmppNamespaces.StanzaErrors + "text")?.Value;

    /// <summary>Accepts the default configuration of a room just created (an "instant room", XEP-0045 section 10.1.2), which unlocks it.</summary>
    public static Task UnlockInstantRoomAsync(XmppClient owner, string room) =>
        owner.SendIqAsync(new XElement(XmppNamespaces.Client + "iq", new XAttribute("type", "set"), new XAttribute("to", room),
            new XElement(MucOwner + "query", new XElement(DataForms + "x", new XAttribute("type", "submit")))), Cancel);

    /// <summary>Sends a groupchat message and waits until the room reflects it back: the room has processed (and archived) it.</summary>
    public static async Task SayAsync(XmppClient occupant, string room, string nick, string body)
    {
        await occupant.SendMessageAsync(room, body, "groupchat", Cancel);
        await occupant.WaitForMessageAsync(m => m.IsFrom($"{room}/{nick}") && m.GetBody() == body, StanzaTimeout, Cancel);
    }

    /// <summary>
    /// Collects what a newcomer receives after the join: the history (delayed messages), up to the subject message,
    /// which XEP-0045 section 7.2.15 sends last.
    /// </summary>
    public static async Task<IReadOnlyList<XElement>> ReceiveHistoryAsync(XmppClient newcomer, string room)
    {
        var history = new List<XElement>();
        while (true)
        {
            var message = await newcomer.WaitForMessageAsync(m => m.IsFrom(room) && m.GetStanzaType() == "groupchat", StanzaTimeout, Cancel);
            if (message.Element(XmppNamespaces.Client + "subject") is not null)
            {
                return history;
            }

            history.Add(message);
        }
    }

    /// <summary>Queries an archive (XEP-0313), a room's when <paramref name="archive"/> is a room; returns the archived message bodies in order.</summary>
    public static async Task<IReadOnlyList<string>> QueryArchiveBodiesAsync(XmppClient client, string archive)
    {
        var queryId = Guid.NewGuid().ToString("N")[..8];
        var answer = await client.SendIqAsync(new XElement(XmppNamespaces.Client + "iq", new XAttribute("type", "set"), new XAttribute("to", archive),
            new XElement(Mam + "query", new XAttribute("queryid", queryId))), Cancel);
        var fin = answer.Element(Mam + "fin") ?? throw new XmppException($"The archive query answer has no <fin/>: {answer}");
        Assert.Equal("true", (string?)fin.Attribute("complete"));

        // The results arrive before the iq answer on the same stream, so they are all buffered by now.
        var bodies = new List<string>();
        var lastId = (string?)fin.Element(XName.Get("set", "http://jabber.org/protocol/rsm"))?.Element(XName.Get("last", "http://jabber.org/protocol/rsm"));
        while (lastId is not null)
        {
            var result = (await client.WaitForMessageAsync(m => m.Element(Mam + "result")?.Attribute("queryid")?.Value == queryId, StanzaTimeout, Cancel))
                .Element(Mam + "result")!;
            if (result.Element(Forward + "forwarded")?.Element(XmppNamespaces.Client + "message")?.GetBody() is { } body)
            {
                bodies.Add(body);
            }

            if ((string?)result.Attribute("id") == lastId)
            {
                break;
            }
        }

        return bodies;
    }

    /// <summary>Asks the upload component for a slot (XEP-0363 section 4); returns the &lt;slot/&gt;.</summary>
    /// <exception cref="XmppStanzaException">The component refused, e.g. <c>not-acceptable</c> for a file that is too large.</exception>
    public static async Task<XElement> RequestUploadSlotAsync(XmppClient client, string component, string fileName, long size, string contentType)
    {
        var answer = await client.SendIqAsync(new XElement(XmppNamespaces.Client + "iq", new XAttribute("type", "get"), new XAttribute("to", component),
            new XElement(Upload + "request", new XAttribute("filename", fileName), new XAttribute("size", size), new XAttribute("content-type", contentType))), Cancel);
        return answer.Element(Upload + "slot") ?? throw new XmppException($"The upload answer has no <slot/>: {answer}");
    }

    /// <summary>
    /// Uploads a file into a slot (XEP-0363 section 5): PUT with the headers the slot names, expecting 201, then GET it
    /// back and compare. Returns the GET response's media type.
    /// </summary>
    public static async Task<string?> UploadAndDownloadAsync(HttpClient http, XElement slot, byte[] content, string contentType)
    {
        var put = slot.Element(Upload + "put")!;
        var putUrl = new Uri((string)put.Attribute("url")!);
        using (var request = new HttpRequestMessage(HttpMethod.Put, putUrl) { Content = new ByteArrayContent(content) })
        {
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            foreach (var header in put.Elements(Upload + "header"))
            {
                Assert.True(request.Headers.TryAddWithoutValidation((string)header.Attribute("name")!, header.Value));
            }

            using var response = await http.SendAsync(request, Cancel);
            Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created,
                $"PUT {putUrl} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Cancel)}");
        }

        using var download = await http.GetAsync(new Uri((string)slot.Element(Upload + "get")!.Attribute("url")!), Cancel);
        Assert.Equal(System.Net.HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync(Cancel));
        return download.Content.Headers.ContentType?.MediaType;
    }

    /// <summary>
    /// The value of a configuration option for a host (or component) as the running server has it, read with
    /// <c>prosodyctl shell config get</c> in the container and serialised by Prosody (strings are quoted).
    /// </summary>
    public static async Task<string> ConfigOptionAsync(DistributedApplication app, string resourceName, string host, string option)
    {
        var (exitCode, output) = await Task.Run(() => ContainerRuntime.Run(
            ContainerRuntime.Name, "exec", app.ContainerIdOf(resourceName), "prosodyctl", "shell", "config", "get", host, option));
        TestContext.Current.TestOutputHelper?.WriteLine($"prosodyctl shell config get {host} {option}: {output}");
        var ok = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("OK:", StringComparison.Ordinal));
        Assert.True(exitCode == 0 && ok is not null, $"prosodyctl shell config get failed ({exitCode}): {output}");
        return ok["OK:".Length..].Trim();
    }
}


namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    /// <summary>
    /// Adds a multi-user chat (group chat, XEP-0045) component at <c>{subdomain}.{domain}</c>
    /// (<c>PROSODY_COMPONENTS</c> with type <c>muc</c>). With <see cref="WithMessageArchive"/>, rooms keep their
    /// history in the archive (<c>muc_mam</c>, on by default for new rooms).
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="subdomain">One DNS label, <c>conference</c> by default.</param>
    /// <param name="roomCreation">Who may create rooms (<c>restrict_room_creation</c>).</param>
    /// <param name="historyMessages">How many recent messages a room sends to someone who joins
    /// (<c>max_history_messages</c>); null keeps Prosody's 20.</param>
    /// <returns>The resource builder.</returns>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithMultiUserChat(
        this IResourceBuilder<ProsodyResource> builder,
        string subdomain = "conference",
        ProsodyRoomCreation roomCreation = ProsodyRoomCreation.Anyone,
        int? historyMessages = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ProsodyValidation.Subdomain(subdomain, nameof(subdomain));
        if (!Enum.IsDefined(roomCreation))
        {
            throw new ArgumentOutOfRangeException(nameof(roomCreation), roomCreation, "Use one of the ProsodyRoomCreation values.");
        }

        ThrowIfSubdomainTaken(builder, subdomain, builder.Resource.Settings.MultiUserChat?.Subdomain);
        builder.Resource.Settings.MultiUserChat = new ProsodyMultiUserChatSettings(
            subdomain,
            roomCreation,
            historyMessages is { } history ? ProsodyValidation.Positive(history, 1000, nameof(historyMessages), "messages") : null);
        return builder;
    }

    /// <summary>
    /// Adds an HTTP file share component (XEP-0363, mod_http_file_share) at <c>{subdomain}.{domain}</c>; uploads
    /// are kept in the data directory and served from <c>/share</c> on the <c>http</c> endpoint. In run mode the
    /// upload URLs Prosody hands out point at the endpoint as published on the developer's machine.
    /// </summary>
    /// <remarks>
    /// Because those URLs hold the HTTP endpoint's host port, a persistent container
    /// (<c>WithLifetime(ContainerLifetime.Persistent)</c>) is only reused across AppHost runs when that port is fixed:
    /// <c>.WithEndpoint("http", e =&gt; e.Port = 5280)</c>.
    /// </remarks>
    /// <param name="builder">The resource builder.</param>
    /// <param name="subdomain">One DNS label, <c>upload</c> by default.</param>
    /// <param name="sizeLimitMegabytes">The largest file, in MiB (<c>PROSODY_UPLOAD_LIMIT_MB</c>); null keeps Prosody's 10 MiB.</param>
    /// <param name="quotaGigabytes">The space all uploads may take, in GiB (<c>PROSODY_UPLOAD_STORAGE_GB</c>); null for no quota.</param>
    /// <param name="expiryDays">Days after which uploads are deleted (<c>http_file_share_expires_after</c>); null keeps Prosody's 7 days.</param>
    /// <returns>The resource builder.</returns>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithFileShare(
        this IResourceBuilder<ProsodyResource> builder,
        string subdomain = "upload",
        int? sizeLimitMegabytes = null,
        int? quotaGigabytes = null,
        int? expiryDays = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ProsodyValidation.Subdomain(subdomain, nameof(subdomain));
        ThrowIfSubdomainTaken(builder, subdomain, builder.Resource.Settings.FileShare?.Subdomain);
        builder.Resource.Settings.FileShare = new ProsodyFileShareSettings(
            subdomain,
            sizeLimitMegabytes is { } size ? ProsodyValidation.Positive(size, 1024 * 1024, nameof(sizeLimitMegabytes), "MiB") : null,
            quotaGigabytes is { } quota ? ProsodyValidation.Positive(quota, 1024 * 1024, nameof(quotaGigabytes), "GiB") : null,
            expiryDays is { } days ? ProsodyValidation.Positive(days, 36500, nameof(expiryDays), "days") : null);
        return builder;
    }

    /// <summary>
    /// Adds an external component (XEP-0114) at <c>{subdomain}.{domain}</c>: a service of yours that connects to
    /// Prosody's <c>component</c> endpoint (container port 5347, opened to the container network) with a secret.
    /// Reference the returned resource from that service to give it the host, port, domain and secret.
    /// </summary>
    /// <param name="builder">The Prosody resource builder.</param>
    /// <param name="name">The name of the component resource.</param>
    /// <param name="subdomain">One DNS label; by default the resource name.</param>
    /// <param name="secret">The component's secret; null generates one.</param>
    /// <returns>The component's resource builder.</returns>
    /// <example>
    /// <code lang="csharp">
    /// var chat = builder.AddProsody("chat");
    /// var bridge = chat.AddExternalComponent("bridge");
    /// builder.AddProject&lt;Projects.Bridge&gt;("bridge-service").WithReference(bridge).WaitFor(chat);
    /// </code>
    /// </example>
    [AspireExport]
    public static IResourceBuilder<ProsodyComponentResource> AddExternalComponent(
        this IResourceBuilder<ProsodyResource> builder,
        [ResourceName] string name,
        string? subdomain = null,
        IResourceBuilder<ParameterResource>? secret = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Everything is checked before anything changes: a name Aspire refuses must not leave a component behind in
        // the server's configuration, and a default subdomain made from the name is reported as the name.
        ProsodyValidation.ResourceName(name, nameof(name));
        var subdomainParameter = subdomain is null ? nameof(name) : nameof(subdomain);
        subdomain = ProsodyValidation.Subdomain(subdomain ?? name.ToLowerInvariant(), subdomainParameter);
        ThrowIfSubdomainTaken(builder, subdomain, current: null, subdomainParameter);

        var prosody = builder.Resource;
        var componentSecret = secret?.Resource
            ?? ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder.ApplicationBuilder, $"{name}-secret", special: false);
        var component = new ProsodyComponentResource(name, subdomain, prosody, componentSecret);
        // Added first: a name Aspire refuses throws here, before the server's configuration changes.
        var componentBuilder = AddServerPart(builder, component, "ProsodyComponent", new("xmpp.domain", component.Domain), "PlugConnected");
        if (prosody.Settings.ExternalComponents.Count == 0)
        {
            builder.WithEndpoint(targetPort: ProsodyResource.ComponentTargetPort, name: ProsodyResource.ComponentEndpointName, scheme: "tcp");
        }

        prosody.Settings.ExternalComponents.Add(component);
        return componentBuilder;
    }

    private static void ThrowIfSubdomainTaken(IResourceBuilder<ProsodyResource> builder, string subdomain, string? current, string paramName = "subdomain")
    {
        var settings = builder.Resource.Settings;
        ProsodyValidation.ComponentDomain(subdomain, settings.Domain, paramName);
        if (settings.ComponentSubdomains.Where(s => s != current).Contains(subdomain))
        {
            throw new ArgumentException($"The subdomain '{subdomain}' is already used by another component of this server. Give each component its own subdomain.", paramName);
        }
    }
}

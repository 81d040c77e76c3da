using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Prosody.Configuration;

namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    /// <summary>
    /// Loads more Prosody modules on the virtual host (<c>PROSODY_ENABLE_MODULES</c>), on top of the image's set.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="modules">Module names without the <c>mod_</c> prefix, one per argument, such as <c>"mam"</c>.</param>
    /// <returns>The resource builder.</returns>
    /// <exception cref="ArgumentException">A name is empty or holds a comma, a space or another character no module name has.</exception>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithEnabledModules(this IResourceBuilder<ProsodyResource> builder, params string[] modules)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(modules);
        builder.Resource.Settings.EnabledModules.UnionWith(modules.Select(m => ProsodyValidation.ModuleName(m, nameof(modules))).ToArray());
        return builder;
    }

    /// <summary>
    /// Keeps modules from loading (<c>PROSODY_DISABLE_MODULES</c>), including ones the image or this integration
    /// would load.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="modules">Module names without the <c>mod_</c> prefix, one per argument.</param>
    /// <returns>The resource builder.</returns>
    /// <exception cref="ArgumentException">A name is empty or invalid.</exception>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithDisabledModules(this IResourceBuilder<ProsodyResource> builder, params string[] modules)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(modules);
        builder.Resource.Settings.DisabledModules.UnionWith(modules.Select(m => ProsodyValidation.ModuleName(m, nameof(modules))).ToArray());
        return builder;
    }

    /// <summary>
    /// Turns the XMPP-over-websocket endpoint (RFC 7395, <c>/xmpp-websocket</c> on the <c>http</c> endpoint) on or
    /// off. On by default. In run mode, signing in over <c>ws://</c> is allowed because the endpoint is only
    /// published on loopback; a deployment must terminate TLS in front of it.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="enabled">Whether to serve the websocket endpoint.</param>
    /// <returns>The resource builder.</returns>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithWebSocket(this IResourceBuilder<ProsodyResource> builder, bool enabled = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Resource.Settings.WebSocket = enabled;
        return builder;
    }

    /// <summary>
    /// Serves BOSH (XEP-0124/0206, <c>/http-bind</c> on the <c>http</c> endpoint) for clients that cannot use websockets.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <returns>The resource builder.</returns>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithBosh(this IResourceBuilder<ProsodyResource> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Resource.Settings.Bosh = true;
        return builder;
    }

    /// <summary>
    /// Keeps a server-side message archive (XEP-0313, mod_mam) for this many days
    /// (<c>PROSODY_ARCHIVE_EXPIRY_DAYS</c>); group chat rooms archive too when multi-user chat is on.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="retentionDays">Days to keep messages, 1 to 36500.</param>
    /// <returns>The resource builder.</returns>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithMessageArchive(this IResourceBuilder<ProsodyResource> builder, int retentionDays = 7)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Resource.Settings.ArchiveRetentionDays = ProsodyValidation.Positive(retentionDays, 36500, nameof(retentionDays), "days");
        return builder;
    }
}

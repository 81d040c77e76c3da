using Aspire.Hosting.Prosody.Modules;

namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    /// <summary>
    /// Loads more Prosody modules on the virtual host (<c>PROSODY_ENABLE_MODULES</c>), on top of the image's set. A
    /// module an earlier <see cref="WithDisabledModules"/> call named is no longer disabled: the last call wins.
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
        EnableModules(builder.Resource.Settings, modules.Select(m => ProsodyValidation.ModuleName(m, nameof(modules))).ToArray());
        return builder;
    }

    /// <summary>
    /// Keeps modules from loading (<c>PROSODY_DISABLE_MODULES</c>), including ones the image or this integration
    /// would load. A module an earlier call enabled (<see cref="WithEnabledModules"/>, <see cref="WithModuleFiles"/>) is no
    /// longer enabled: the last call wins.
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
        var names = modules.Select(m => ProsodyValidation.ModuleName(m, nameof(modules))).ToArray();
        builder.Resource.Settings.EnabledModules.ExceptWith(names);
        builder.Resource.Settings.DisabledModules.UnionWith(names);
        return builder;
    }

    /// <summary>
    /// Copies Prosody modules from a folder on the AppHost's machine onto Prosody's plugin path
    /// (<c>/usr/local/lib/prosody-aspire/modules</c>, beside the modules this integration ships) and loads the ones
    /// named in <paramref name="enable"/> (<c>PROSODY_ENABLE_MODULES</c>). No network is needed, unlike
    /// <c>prosodyctl install</c>. The folder is a prosody-modules checkout, whose modules are in
    /// <c>mod_x/mod_x.lua</c> (each module's directory is copied whole, templates and libraries included), or a
    /// folder of your own <c>mod_x.lua</c> files, or both; READMEs, hidden entries such as <c>.hg</c> and
    /// directories without their module file are left out.
    /// </summary>
    /// <remarks>
    /// Like <c>WithContainerFiles</c>, the files are copied when the container is created, not mounted: restart the
    /// resource to pick up edited modules. A published model bakes them into its derived image. Modules on this
    /// path take precedence over the ones Prosody ships with the same name. Call it again for more folders; a module
    /// may come from one folder only; the same folder given again (in any spelling) counts once. Modules that are only
    /// dependencies or components of others need not be enabled. Only regular files are copied, at most 16 MiB each
    /// and 64 MiB in all; a symbolic link must resolve inside the folder (a link to a directory inside a module is
    /// left out, since it could loop).
    /// </remarks>
    /// <param name="builder">The resource builder.</param>
    /// <param name="source">The folder, absolute or relative to the AppHost's directory.</param>
    /// <param name="enable">Modules of this folder to load on the virtual host, without the <c>mod_</c> prefix, such
    /// as <c>"http_admin_api"</c>. To load a module Prosody itself ships, use <see cref="WithEnabledModules"/>.</param>
    /// <returns>The resource builder.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="ArgumentException">The folder holds no module; a module in it has a name Prosody cannot
    /// load or one starting with <c>mod_aspire_</c> (reserved for this integration's modules); a module is in two
    /// folders; a name in <paramref name="enable"/> is invalid or not a module of this folder; an entry to copy is a
    /// symbolic link out of the folder or to nothing, a FIFO, socket or device, or too large.</exception>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithModuleFiles(this IResourceBuilder<ProsodyResource> builder, string source, params string[] enable)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentNullException.ThrowIfNull(enable);
        var names = enable.Select(m => ProsodyValidation.ModuleName(m, nameof(enable))).ToArray();
        var folder = ProsodyModuleFolders.Normalize(AppHostPaths.ExistingDirectory(builder.ApplicationBuilder, source, "Prosody modules folder", nameof(source)));
        var settings = builder.Resource.Settings;

        // Checked now so that a wrong path or name fails the app model; copied when the container is created.
        List<string> folders = settings.ModuleFolders.Contains(folder) ? [.. settings.ModuleFolders] : [.. settings.ModuleFolders, folder];
        var inFolder = ProsodyModuleFolders.Scan(folders, nameof(source)).Where(m => m.Folder == folder).Select(m => m.Name).ToArray();
        if (names.FirstOrDefault(name => !inFolder.Contains(name)) is { } missing)
        {
            throw new ArgumentException(
                $"'{missing}' is not a module of '{folder}' (no mod_{missing}.lua or mod_{missing}/mod_{missing}.lua there; it has " +
                $"{string.Join(", ", inFolder.Take(10))}{(inFolder.Length > 10 ? ", …" : "")}). Check the name, or use WithEnabledModules for a module Prosody ships.",
                nameof(enable));
        }

        if (!settings.ModuleFolders.Contains(folder))
        {
            settings.ModuleFolders.Add(folder);
        }

        EnableModules(settings, names);
        return builder;
    }

    /// <summary>Enabling a module takes it out of the disabled list, as disabling takes it out of the enabled one.</summary>
    private static void EnableModules(ProsodySettings settings, string[] names)
    {
        settings.DisabledModules.ExceptWith(names);
        settings.EnabledModules.UnionWith(names);
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

namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    /// <summary>
    /// Adds Prosody configuration (Lua) of your own, for what no builder method covers. It is included after the
    /// generated configuration, in global scope, in the order of the calls (together with
    /// <see cref="WithConfigurationFile"/>'s files), so it can override generated options and earlier calls.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="lua">Configuration text, for example <c>"c2s_timeout = 300"</c>. It is used as written: values
    /// in it are not escaped, so do not build it from untrusted input, and keep secrets out of it (read them with
    /// <c>ENV_NAME</c> from variables set by <c>WithEnvironment</c>).</param>
    /// <returns>The resource builder.</returns>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithExtraConfiguration(this IResourceBuilder<ProsodyResource> builder, string lua)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(lua);
        builder.Resource.Settings.Includes.Add(new(lua, SourcePath: null));
        return builder;
    }

    /// <summary>
    /// Adds a Prosody configuration file of your own (Lua), copied into the container at start and included after
    /// the generated configuration, in the order of the calls (together with <see cref="WithExtraConfiguration"/>'s
    /// texts: a later call overrides an earlier one, whichever method made it).
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="path">The file, absolute or relative to the AppHost's directory. It must exist.</param>
    /// <returns>The resource builder.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithConfigurationFile(this IResourceBuilder<ProsodyResource> builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = AppHostPaths.ExistingFile(builder.ApplicationBuilder, path, "Prosody configuration file", nameof(path));
        builder.Resource.Settings.Includes.Add(new(Lua: null, fullPath));
        return builder;
    }
}

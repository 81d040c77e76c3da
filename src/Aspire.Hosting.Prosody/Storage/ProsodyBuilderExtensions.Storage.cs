namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    /// <summary>
    /// Keeps Prosody's data directory (<c>/var/lib/prosody</c>: accounts, rosters, archives, uploads) in a named
    /// volume, so it outlives the container.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="name">The volume name; by default one is generated from the app and resource names.</param>
    /// <param name="isReadOnly">Whether the volume is mounted read-only.</param>
    /// <returns>The resource builder.</returns>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithDataVolume(this IResourceBuilder<ProsodyResource> builder, string? name = null, bool isReadOnly = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithVolume(name ?? VolumeNameGenerator.Generate(builder, "data"), ProsodyConfiguration.DataDirectory, isReadOnly);
    }

    /// <summary>
    /// Keeps Prosody's data directory (<c>/var/lib/prosody</c>) in a directory of the host.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="source">The host directory, absolute or relative to the AppHost's directory.</param>
    /// <param name="isReadOnly">Whether the directory is mounted read-only.</param>
    /// <returns>The resource builder.</returns>
    /// <remarks>
    /// The official image runs Prosody as the uid that owns the data directory and stops when that owner is root,
    /// as it is when the container runtime creates a missing host directory. A small entrypoint wrapper therefore
    /// hands a root-owned, writable directory to the <c>prosody</c> user before the image's own entrypoint runs (in
    /// run mode and in the published image alike).
    /// </remarks>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithDataBindMount(this IResourceBuilder<ProsodyResource> builder, string source, bool isReadOnly = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(source);
        return builder.WithBindMount(source, ProsodyConfiguration.DataDirectory, isReadOnly);
    }
}

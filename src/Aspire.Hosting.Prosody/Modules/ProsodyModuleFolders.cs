namespace Aspire.Hosting.Prosody.Modules;

/// <summary>
/// Finds the Prosody modules in folders on the AppHost's machine. A folder may be a prosody-modules community
/// checkout (<c>mod_x/mod_x.lua</c>, the module's directory copied whole because modules keep templates and other
/// files beside their code), a flat folder of <c>mod_x.lua</c> files, or both. Everything else is left out:
/// READMEs, hidden entries such as <c>.hg</c> or <c>.git</c>, and directories without their module file (the
/// community repository keeps those for modules that moved into Prosody).
/// </summary>
/// <remarks>
/// What is copied ends up in the container and, in publish mode, in an image, so every entry is checked here, right
/// before it is copied: a symbolic link must resolve to something inside the folder (a link to <c>/etc/shadow</c>
/// would copy its bytes), a link must lead somewhere, only regular files are copied (reading a FIFO blocks for ever,
/// a device is no module), and files have a size limit. Symbolic links to directories inside a module are left out,
/// as before, because they could loop.
/// </remarks>
internal static class ProsodyModuleFolders
{
    /// <summary>This package's own modules are named with this prefix, so a folder may not bring one.</summary>
    public const string ReservedPrefix = "aspire_";

    /// <summary>The largest module file copied: Prosody's largest community module is well under 1 MiB.</summary>
    public const long MaxFileBytes = 16L * 1024 * 1024;

    /// <summary>The most bytes copied from all of a resource's module folders together (a whole community checkout is about 10 MiB).</summary>
    public const long MaxTotalBytes = 64L * 1024 * 1024;

    private const string ModulePrefix = "mod_";
    private const string LuaExtension = ".lua";

    /// <summary>
    /// Every module in <paramref name="folders"/>, ordered by name, with the files to copy for it. Throws when a
    /// folder is missing or holds no module, when a module's name is not one Prosody can load or is reserved for
    /// this package, when two entries provide the same module (Prosody would silently load only one of them), or when
    /// an entry to copy is a link out of the folder, a dangling link, not a regular file, or too large.
    /// </summary>
    public static IReadOnlyList<ProsodyModuleSource> Scan(IEnumerable<string> folders, string paramName)
    {
        var found = new SortedDictionary<string, ProsodyModuleSource>(StringComparer.Ordinal);
        var budget = new Budget();
        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder))
            {
                throw new DirectoryNotFoundException(
                    $"The Prosody modules folder '{ProsodyValidation.Printable(folder)}' does not exist. Give an existing folder ({paramName}), absolute or relative to the AppHost's directory.");
            }

            var count = 0;
            foreach (var module in ScanFolder(folder, paramName, budget))
            {
                if (!found.TryAdd(module.Name, module))
                {
                    throw new ArgumentException(
                        $"mod_{module.Name} is provided twice, by '{ProsodyValidation.Printable(found[module.Name].Path)}' and by '{ProsodyValidation.Printable(module.Path)}': Prosody would load only one of them. Remove one of the two.",
                        paramName);
                }

                count++;
            }

            if (count == 0)
            {
                throw new ArgumentException(
                    $"The folder '{ProsodyValidation.Printable(folder)}' holds no Prosody module. Give a folder with mod_<name>.lua files, or a prosody-modules checkout " +
                    "whose modules are in mod_<name>/mod_<name>.lua.",
                    paramName);
            }
        }

        return [.. found.Values];
    }

    /// <summary>
    /// The folder as <see cref="Scan"/> compares folders: absolute, without a trailing separator, and with symbolic
    /// links resolved where it exists, so the same folder given twice in different spellings counts once.
    /// </summary>
    public static string Normalize(string folder)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        return Directory.Exists(full) && ResolvedPath(full) is { } resolved ? resolved : full;
    }

    private static IEnumerable<ProsodyModuleSource> ScanFolder(string folder, string paramName, Budget budget)
    {
        var realFolder = ResolvedPath(folder) ?? folder;
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (!entry.Name.StartsWith(ModulePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var isDirectory = entry is DirectoryInfo directory && File.Exists(Path.Combine(directory.FullName, directory.Name + LuaExtension));
            var name = isDirectory ? entry.Name[ModulePrefix.Length..]
                : entry is FileInfo && entry.Name.EndsWith(LuaExtension, StringComparison.Ordinal) ? entry.Name[ModulePrefix.Length..^LuaExtension.Length]
                : null;
            if (name is null)
            {
                continue;
            }

            if (!ProsodyValidation.IsModuleName(name))
            {
                throw new ArgumentException(
                    $"'{ProsodyValidation.Printable(entry.FullName)}' is not named as a Prosody module can be: after 'mod_' use lowercase letters, digits, '_' and '-' (at most 64), " +
                    "as in mod_http_admin_api.lua. Rename it, or move it out of the folder.",
                    paramName);
            }

            if (name.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"'{ProsodyValidation.Printable(entry.FullName)}' uses the prefix mod_{ReservedPrefix}, which is reserved for the modules this integration ships. Rename the module.",
                    paramName);
            }

            var copied = Visit(entry, folder, realFolder, paramName, budget, topLevel: true)
                ?? throw new InvalidOperationException($"The module entry '{ProsodyValidation.Printable(entry.FullName)}' yielded nothing to copy.");
            yield return new(name, folder, entry.FullName, copied);
        }
    }

    /// <summary>The entry to copy, checked; null for what is left out (hidden entries, linked directories inside a module).</summary>
    private static ProsodyModuleEntry? Visit(FileSystemInfo entry, string folder, string realFolder, string paramName, Budget budget, bool topLevel)
    {
        var source = entry.FullName;
        if (entry.LinkTarget is { } linkTarget)
        {
            var resolved = ResolvedPath(source) ?? throw new ArgumentException(
                $"'{ProsodyValidation.Printable(source)}' is a symbolic link to '{ProsodyValidation.Printable(linkTarget)}', which does not exist (or the links loop). " +
                $"Remove the link, or point it at a file inside '{ProsodyValidation.Printable(folder)}'.",
                paramName);
            if (!IsInside(resolved, realFolder))
            {
                throw new ArgumentException(
                    $"'{ProsodyValidation.Printable(source)}' is a symbolic link to '{ProsodyValidation.Printable(resolved)}', outside the modules folder '{ProsodyValidation.Printable(folder)}': " +
                    "its contents would be copied into the container and into a published image. Copy what the module needs into the folder, or remove the link.",
                    paramName);
            }

            if (Directory.Exists(resolved) && !topLevel)
            {
                return null;
            }

            source = resolved;
        }

        if (Directory.Exists(source))
        {
            var entries = new DirectoryInfo(source).EnumerateFileSystemInfos()
                // Hidden entries are tooling (editor and VCS files).
                .Where(child => !child.Name.StartsWith('.'))
                .OrderBy(child => child.Name, StringComparer.Ordinal)
                .Select(child => Visit(child, folder, realFolder, paramName, budget, topLevel: false))
                .OfType<ProsodyModuleEntry>()
                .ToArray();
            return new ProsodyModuleDirectory(entry.Name, entries);
        }

        if (UnixFileType.Of(source) is { } special)
        {
            throw new ArgumentException(
                $"'{ProsodyValidation.Printable(entry.FullName)}' is a {special}, not a regular file: only files are copied into the container " +
                "(reading a FIFO would block the start, and a device is no module). Remove it from the modules folder.",
                paramName);
        }

        var length = new FileInfo(source).Length;
        if (length > MaxFileBytes)
        {
            throw new ArgumentException(
                $"'{ProsodyValidation.Printable(entry.FullName)}' is {length} bytes, more than the {MaxFileBytes / (1024 * 1024)} MiB a file in a modules folder may have. " +
                "Remove it from the folder (modules are small Lua files; keep data in a volume).",
                paramName);
        }

        budget.Total += length;
        if (budget.Total > MaxTotalBytes)
        {
            throw new ArgumentException(
                $"The modules folders hold more than {MaxTotalBytes / (1024 * 1024)} MiB of files to copy (reached at '{ProsodyValidation.Printable(entry.FullName)}'). " +
                "Give a folder with only the modules you need.",
                paramName);
        }

        // A zero-length entry is written from its (empty) contents, never opened: where the file type cannot be read,
        // a FIFO, socket or device (whose size is 0) then cannot block or leak anything.
        return new ProsodyModuleFile(entry.Name, source, length);
    }

    private static bool IsInside(string path, string folder) =>
        path.StartsWith(Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>
    /// The path with every symbolic link resolved, in any component, as the kernel would follow them; null when a
    /// component does not exist or the links loop (more than 40, Linux's limit).
    /// </summary>
    internal static string? ResolvedPath(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            var info = new FileInfo(path);
            var target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true);
            return target is { Exists: true } || Directory.Exists(target?.FullName) ? Path.GetFullPath(target!.FullName) : null;
        }

        var full = Path.GetFullPath(path);
        var pending = new List<string>(full.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = "/";
        var links = 0;
        while (pending.Count > 0)
        {
            var component = pending[0];
            pending.RemoveAt(0);
            if (component == ".")
            {
                continue;
            }

            if (component == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? "/";
                continue;
            }

            var candidate = Path.Join(resolved, component);
            if (new FileInfo(candidate).LinkTarget is { } target)
            {
                if (++links > 40)
                {
                    return null;
                }

                pending.InsertRange(0, target.Split('/', StringSplitOptions.RemoveEmptyEntries));
                if (target.StartsWith('/'))
                {
                    resolved = "/";
                }

                continue;
            }

            if (!Path.Exists(candidate))
            {
                return null;
            }

            resolved = candidate;
        }

        return resolved;
    }

    private sealed class Budget
    {
        public long Total { get; set; }
    }
}

/// <summary>A module found in a folder: its directory (community layout) or its <c>mod_x.lua</c> file (flat layout), and what to copy.</summary>
internal sealed record ProsodyModuleSource(string Name, string Folder, string Path, ProsodyModuleEntry Entry);

/// <summary>A checked entry to copy into the container, named as it is in the folder.</summary>
internal abstract record ProsodyModuleEntry(string Name);

/// <summary>A regular file; <paramref name="SourcePath"/> is the file itself, a link's target resolved.</summary>
internal sealed record ProsodyModuleFile(string Name, string SourcePath, long Length) : ProsodyModuleEntry(Name);

/// <summary>A directory and its checked entries.</summary>
internal sealed record ProsodyModuleDirectory(string Name, IReadOnlyList<ProsodyModuleEntry> Entries) : ProsodyModuleEntry(Name);

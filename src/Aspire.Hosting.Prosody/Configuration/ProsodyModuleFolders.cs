namespace Aspire.Hosting.Prosody.Configuration;

/// <summary>
/// Finds the Prosody modules in folders on the AppHost's machine. A folder may be a prosody-modules community
/// checkout (<c>mod_x/mod_x.lua</c>, the module's directory copied whole because modules keep templates and other
/// files beside their code), a flat folder of <c>mod_x.lua</c> files, or both. Everything else is left out:
/// READMEs, hidden entries such as <c>.hg</c> or <c>.git</c>, and directories without their module file (the
/// community repository keeps those for modules that moved into Prosody).
/// </summary>
internal static class ProsodyModuleFolders
{
    /// <summary>This package's own modules are named with this prefix, so a folder may not bring one.</summary>
    public const string ReservedPrefix = "aspire_";

    private const string ModulePrefix = "mod_";
    private const string LuaExtension = ".lua";

    /// <summary>
    /// Every module in <paramref name="folders"/>, ordered by name. Throws when a folder is missing or holds no
    /// module, when a module's name is not one Prosody can load or is reserved for this package, or when two
    /// entries provide the same module (Prosody would silently load only one of them).
    /// </summary>
    public static IReadOnlyList<ProsodyModuleSource> Scan(IEnumerable<string> folders, string paramName)
    {
        var found = new SortedDictionary<string, ProsodyModuleSource>(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder))
            {
                throw new DirectoryNotFoundException(
                    $"The Prosody modules folder '{folder}' does not exist. Give an existing folder ({paramName}), absolute or relative to the AppHost's directory.");
            }

            var count = 0;
            foreach (var module in ScanFolder(folder, paramName))
            {
                if (!found.TryAdd(module.Name, module))
                {
                    throw new ArgumentException(
                        $"mod_{module.Name} is provided twice, by '{found[module.Name].Path}' and by '{module.Path}': Prosody would load only one of them. Remove one of the two.",
                        paramName);
                }

                count++;
            }

            if (count == 0)
            {
                throw new ArgumentException(
                    $"The folder '{folder}' holds no Prosody module. Give a folder with mod_<name>.lua files, or a prosody-modules checkout " +
                    "whose modules are in mod_<name>/mod_<name>.lua.",
                    paramName);
            }
        }

        return [.. found.Values];
    }

    private static IEnumerable<ProsodyModuleSource> ScanFolder(string folder, string paramName)
    {
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (!entry.Name.StartsWith(ModulePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            ProsodyModuleSource? module = entry switch
            {
                DirectoryInfo directory when File.Exists(Path.Combine(directory.FullName, directory.Name + LuaExtension)) =>
                    new(directory.Name[ModulePrefix.Length..], folder, directory.FullName, IsDirectory: true),
                FileInfo file when file.Name.EndsWith(LuaExtension, StringComparison.Ordinal) =>
                    new(file.Name[ModulePrefix.Length..^LuaExtension.Length], folder, file.FullName, IsDirectory: false),
                _ => null,
            };
            if (module is null)
            {
                continue;
            }

            if (!ProsodyValidation.IsModuleName(module.Name))
            {
                throw new ArgumentException(
                    $"'{module.Path}' is not named as a Prosody module can be: after 'mod_' use lowercase letters, digits, '_' and '-' (at most 64), " +
                    "as in mod_http_admin_api.lua. Rename it, or move it out of the folder.",
                    paramName);
            }

            if (module.Name.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"'{module.Path}' uses the prefix mod_{ReservedPrefix}, which is reserved for the modules this integration ships. Rename the module.",
                    paramName);
            }

            yield return module;
        }
    }
}

/// <summary>A module found in a folder: its directory (community layout) or its <c>mod_x.lua</c> file (flat layout).</summary>
internal sealed record ProsodyModuleSource(string Name, string Folder, string Path, bool IsDirectory);

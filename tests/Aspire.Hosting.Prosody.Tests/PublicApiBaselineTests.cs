using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>
/// The package's public surface is checked in (api/Aspire.Hosting.Prosody.txt): a change to it shows in review.
/// Set UPDATE_API_BASELINE=1 and run the tests to rewrite the file after an intended change.
/// </summary>
public class PublicApiBaselineTests
{
    [Fact]
    public void ThePublicApiMatchesTheCheckedInBaseline()
    {
        var actual = Describe(typeof(ProsodyResource).Assembly);
        var path = Path.Combine(RepositoryRoot(), "src", "Aspire.Hosting.Prosody", "api", "Aspire.Hosting.Prosody.txt");

        if (Environment.GetEnvironmentVariable("UPDATE_API_BASELINE") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"Missing {path}: run the tests once with UPDATE_API_BASELINE=1.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    [Fact]
    public void EveryPublicMemberHasXmlDocumentation()
    {
        // GenerateDocumentationFile with warnings as errors already enforces this at build time (CS1591);
        // this keeps the guarantee visible where the public API is specified.
        var assembly = typeof(ProsodyResource).Assembly;
        var xml = Path.ChangeExtension(assembly.Location, ".xml");
        Assert.True(File.Exists(xml), "The package must ship its XML documentation.");
    }

    private static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            lines.Add($"{Kind(type)} {type.FullName}{Bases(type)}");
            var members = new List<string>();
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                var text = member switch
                {
                    ConstructorInfo c => $"{type.Name}({Parameters(c.GetParameters())})",
                    MethodInfo m when !m.IsSpecialName => $"{(m.IsStatic ? "static " : "")}{Name(m.ReturnType)} {m.Name}({Parameters(m.GetParameters())})",
                    PropertyInfo p => $"{Name(p.PropertyType)} {p.Name} {{ {(p.GetMethod?.IsPublic == true ? "get; " : "")}{(p.SetMethod?.IsPublic == true ? "set; " : "")}}}",
                    FieldInfo f when type.IsEnum && f.IsStatic => $"{f.Name} = {f.GetRawConstantValue()}",
                    FieldInfo f when !type.IsEnum => $"{Name(f.FieldType)} {f.Name}",
                    _ => null,
                };
                if (text is not null)
                {
                    members.Add($"  {text}");
                }
            }

            members.Sort(StringComparer.Ordinal);
            lines.AddRange(members);
        }

        return new StringBuilder().AppendJoin('\n', lines).Append('\n').ToString();
    }

    private static string Kind(Type type) =>
        type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" : type.IsAbstract && type.IsSealed ? "static class" : type.IsSealed ? "sealed class" : "class";

    private static string Bases(Type type)
    {
        var bases = new List<string>();
        if (type.BaseType is { } b && b != typeof(object) && b != typeof(Enum))
        {
            bases.Add(Name(b));
        }

        bases.AddRange(type.GetInterfaces().Where(i => type.BaseType?.GetInterfaces().Contains(i) != true).Select(Name).Order(StringComparer.Ordinal));
        return bases.Count == 0 ? "" : " : " + string.Join(", ", bases);
    }

    private static string Parameters(ParameterInfo[] parameters) => string.Join(", ", parameters.Select(p =>
        $"{(p.Member.IsDefined(typeof(ExtensionAttribute)) && p.Position == 0 ? "this " : "")}{(p.IsDefined(typeof(ParamArrayAttribute)) ? "params " : "")}{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue is string s ? $"\"{s}\"" : p.DefaultValue?.ToString()?.ToLowerInvariant() ?? "null") : "")}"));

    private static string Name(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        if (!type.IsGenericType)
        {
            return type.FullName ?? type.Name;
        }

        var name = type.GetGenericTypeDefinition().FullName!;
        return $"{name[..name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>";
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}

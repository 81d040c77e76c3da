using System.Reflection;
using System.Runtime.CompilerServices;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>
/// The surface that TypeScript and other polyglot AppHosts see: every builder method is exported or excluded with a
/// reason that names its exported alternative, export ids and generated method names do not collide, callbacks run
/// off the dispatcher thread, and resource types expose their properties. The Aspire analyzer checks the shapes at
/// build time; these pin the project's conventions on top of it.
/// </summary>
public class PolyglotExportTests
{
    private static readonly MethodInfo[] BuilderMethods = typeof(ProsodyBuilderExtensions)
        .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
        .Where(m => m.IsDefined(typeof(ExtensionAttribute)))
        .ToArray();

    private static readonly (MethodInfo Method, AspireExportAttribute Export)[] Exports = BuilderMethods
        .Select(m => (Method: m, Export: m.GetCustomAttribute<AspireExportAttribute>()!))
        .Where(e => e.Export is not null)
        .ToArray();

    [Fact]
    public void EveryPublicBuilderMethodIsExportedOrExcludedWithAReason()
    {
        var unmarked = BuilderMethods
            .Where(m => m.IsPublic)
            .Where(m => m.IsDefined(typeof(AspireExportAttribute)) == m.IsDefined(typeof(AspireExportIgnoreAttribute)))
            .Select(m => m.ToString())
            .ToArray();
        var withoutReason = BuilderMethods
            .Where(m => m.GetCustomAttribute<AspireExportIgnoreAttribute>() is { } ignore && string.IsNullOrWhiteSpace(ignore.Reason))
            .Select(m => m.ToString())
            .ToArray();

        Assert.True(unmarked.Length == 0, $"Needs exactly one of [AspireExport] or [AspireExportIgnore(Reason = ...)]: {string.Join("; ", unmarked)}");
        Assert.True(withoutReason.Length == 0, $"[AspireExportIgnore] without a Reason: {string.Join("; ", withoutReason)}");
    }

    [Fact]
    public void AnExcludedMethodNamesTheExportPolyglotAppHostsUseInstead()
    {
        foreach (var method in BuilderMethods.Where(m => m.IsDefined(typeof(AspireExportIgnoreAttribute))))
        {
            var reason = method.GetCustomAttribute<AspireExportIgnoreAttribute>()!.Reason!;
            var alternatives = Exports.Where(e => TargetType(e.Method) == TargetType(method)).Select(e => CapabilityId(e.Method, e.Export));
            Assert.True(alternatives.Any(id => reason.Contains(id, StringComparison.Ordinal)),
                $"The reason on {method} names no export of {TargetType(method).Name}: \"{reason}\"");
        }
    }

    [Fact]
    public void ExportIdsAreValidAndUnique()
    {
        var ids = Exports.Select(e => CapabilityId(e.Method, e.Export)).ToArray();

        Assert.All(ids, id => Assert.Matches("^[a-z][A-Za-z0-9]*$", id));
        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void GeneratedMethodNamesAreUniquePerTargetType()
    {
        var collisions = Exports
            .GroupBy(e => (Target: TargetType(e.Method), Name: e.Export.MethodName ?? CapabilityId(e.Method, e.Export)))
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key.Target.Name}.{g.Key.Name}")
            .ToArray();

        Assert.True(collisions.Length == 0, $"Two exports generate the same method: {string.Join(", ", collisions)}");
    }

    [Fact]
    public void ExportsThatTakeACallbackRunItOffTheDispatcherThread()
    {
        // A synchronous callback invoked inline would wait on the JSON-RPC loop that has to deliver it.
        var withCallback = Exports.Where(e => e.Method.GetParameters().Any(p => typeof(Delegate).IsAssignableFrom(p.ParameterType))).ToArray();

        Assert.Contains(withCallback, e => e.Method.Name == nameof(ProsodyBuilderExtensions.WithTurnServer));
        Assert.All(withCallback, e => Assert.True(e.Export.RunSyncOnBackgroundThread, $"{e.Method} needs RunSyncOnBackgroundThread = true."));
    }

    [Fact]
    public void EveryResourceTypeIsExportedWithItsProperties()
    {
        var resourceTypes = typeof(ProsodyResource).Assembly.GetExportedTypes().Where(t => typeof(IResource).IsAssignableFrom(t)).ToArray();

        Assert.Contains(typeof(CoturnResource), resourceTypes);
        Assert.All(resourceTypes, t => Assert.True(t.GetCustomAttribute<AspireExportAttribute>()?.ExposeProperties == true,
            $"{t.Name} needs [AspireExport(ExposeProperties = true)]."));
    }

    [Fact]
    public async Task ThePolyglotWithSqlDatabaseConfiguresTheSameStorageAsWithPostgres()
    {
        var csharp = TestModel.CreateBuilder();
        var viaCSharp = csharp.AddProsody("chat").WithPostgres(csharp.AddPostgres("pg").AddDatabase("prosodydb"));
        var polyglot = TestModel.CreateBuilder();
        var db = polyglot.AddPostgres("pg").AddDatabase("prosodydb");
        // What the polyglot dispatcher passes: the database's builder as a builder of any resource with a connection string.
        var viaPolyglot = polyglot.AddProsody("chat").WithSqlDatabaseForPolyglot(db, ProsodySqlDriver.PostgreSql);

        var expected = await viaCSharp.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);
        var actual = await viaPolyglot.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);

        Assert.Equal(Describe(expected), Describe(actual));
        Assert.Contains(viaPolyglot.Resource.Annotations.OfType<WaitAnnotation>(), w => w.Resource == db.Resource);
    }

    [Fact]
    public void ThePolyglotWithSqlDatabaseRejectsADatabaseOfTheOtherDriver()
    {
        var builder = TestModel.CreateBuilder();
        var db = builder.AddPostgres("pg").AddDatabase("prosodydb");

        var error = Assert.Throws<ArgumentException>(() => builder.AddProsody("chat").WithSqlDatabaseForPolyglot(db, ProsodySqlDriver.MySql));

        Assert.Equal("driver", error.ParamName);
    }

    private static Type TargetType(MethodInfo method) => method.GetParameters()[0].ParameterType;

    // As the ATS scanner derives it: the explicit id, or the method name in camelCase.
    private static string CapabilityId(MethodInfo method, AspireExportAttribute export) =>
        export.Id ?? char.ToLowerInvariant(method.Name[0]) + method.Name[1..];

    private static string Describe(Dictionary<string, object> environment) =>
        string.Join("\n", environment.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={(e.Value as IManifestExpressionProvider)?.ValueExpression ?? e.Value}"));
}

using System.Text.Json.Nodes;

namespace Aspire.Prosody.Client.Tests;

/// <summary>The packed ConfigurationSchema.json describes exactly the settings the section binds.</summary>
public class ConfigurationSchemaTests
{
    [Fact]
    public void TheSchemaListsEverySettingWithItsJsonTypeAndNothingElse()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "src", "Aspire.Prosody.Client", "ConfigurationSchema.json")))!;
        var properties = schema["properties"]!["Aspire"]!["properties"]!["Prosody"]!["properties"]!["Client"]!["properties"]!.AsObject();

        var settings = typeof(ProsodyClientSettings).GetProperties().ToDictionary(p => p.Name);

        Assert.Equal(settings.Keys.Order(), properties.Select(p => p.Key).Order());
        Assert.All(properties, p =>
        {
            var type = Nullable.GetUnderlyingType(settings[p.Key].PropertyType) ?? settings[p.Key].PropertyType;
            var expected = type == typeof(bool) ? "boolean" : type == typeof(int) ? "integer" : "string";
            Assert.Equal(expected, (string?)p.Value!["type"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)p.Value!["description"]), $"{p.Key} has no description.");
        });
    }
}

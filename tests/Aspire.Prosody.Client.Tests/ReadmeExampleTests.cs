using System.Text.RegularExpressions;

namespace Aspire.Prosody.Client.Tests;

/// <summary>
/// The README's code examples that CI compiles and runs are the files themselves: a README that drifts from them fails.
/// </summary>
public partial class ReadmeExampleTests
{
    [Fact]
    public void EveryExampleInTheReadmeIsTheFileItNamesWordForWord()
    {
        var root = Repository.Root;
        var readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");

        var examples = ExamplePattern().Matches(readme);

        Assert.NotEmpty(examples);
        Assert.All(examples, example =>
        {
            var path = Path.Combine(root, example.Groups["path"].Value);
            Assert.True(File.Exists(path), $"The README shows {path}, which does not exist.");
            Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), example.Groups["code"].Value);
        });
    }

    [GeneratedRegex(@"<!-- example: (?<path>[^ ]+) -->\n```csharp\n(?<code>.*?)```\n<!-- end of example -->", RegexOptions.Singleline)]
    private static partial Regex ExamplePattern();
}

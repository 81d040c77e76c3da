namespace Aspire.Hosting.Prosody.FunctionalTests;

public class SmokeTests
{
    [Fact]
    public async Task ProsodyBecomesHealthy()
    {
        var builder = TestApp.CreateBuilder();
        builder.AddProsody("chat");
        await using var app = await builder.StartAsync("chat");
    }
}

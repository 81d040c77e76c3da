using Aspire.Hosting.Prosody.Metrics;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>Statistics, the OpenMetrics endpoint and who may read it; the forwarder's parsing.</summary>
public class ProsodyMetricsTests
{
    [Fact]
    public async Task RunModeCollectsStatisticsAndServesMetricsToTheAppHost()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat");
        Assert.Contains(builder.Services, d => d.ImplementationType == typeof(ProsodyMetricsForwarder));
        using var app = builder.Build();

        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);
        var config = await app.FileTextAsync(chat.Resource, "/etc/prosody/conf.d", "aspire.cfg.lua");

        Assert.Equal("internal", environment["PROSODY_STATISTICS"]);
        Assert.Equal("manual", environment["PROSODY_STATISTICS_INTERVAL"]);
        Assert.Contains("http_openmetrics", ((string)environment["PROSODY_ENABLE_MODULES"]).Split(','));
        Assert.Contains("openmetrics_allow_cidr = \"0.0.0.0/0\"", config);
    }

    [Fact]
    public async Task PublishModeHasNoMetricsUnlessAskedAndThenOnlyForTheGivenNetwork()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var quiet = builder.AddProsody("quiet");
        var measured = builder.AddProsody("measured").WithMetrics(allowedNetwork: "10.42.0.0/16");
        var loopbackOnly = builder.AddProsody("loopback").WithMetrics();
        Assert.DoesNotContain(builder.Services, d => d.ImplementationType == typeof(ProsodyMetricsForwarder));
        using var app = builder.Build();

        var quietEnvironment = await quiet.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Publish);
        Assert.DoesNotContain("PROSODY_STATISTICS", quietEnvironment.Keys);
        Assert.DoesNotContain("http_openmetrics", (string)quietEnvironment["PROSODY_ENABLE_MODULES"]);
        Assert.DoesNotContain("openmetrics", await app.FileTextAsync(quiet.Resource, "/etc/prosody/conf.d", "aspire.cfg.lua"));

        Assert.Equal("internal", (await measured.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Publish))["PROSODY_STATISTICS"]);
        Assert.Contains("openmetrics_allow_cidr = \"10.42.0.0/16\"", await app.FileTextAsync(measured.Resource, "/etc/prosody/conf.d", "aspire.cfg.lua"));
        Assert.DoesNotContain("openmetrics_allow_cidr", await app.FileTextAsync(loopbackOnly.Resource, "/etc/prosody/conf.d", "aspire.cfg.lua"));
    }

    [Fact]
    public async Task WithMetricsFalseTurnsThemOffInRunMode()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithMetrics(false);

        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);

        Assert.DoesNotContain("PROSODY_STATISTICS", environment.Keys);
        Assert.DoesNotContain(((IResourceWithConnectionString)chat.Resource).GetConnectionProperties(), p => p.Key == "MetricsUri");
    }

    [Fact]
    public void TheMetricsUriIsAScrapeTargetOnTheHttpEndpoint()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat");

        Assert.Equal("http://{chat.bindings.http.host}:{chat.bindings.http.port}/metrics", chat.Resource.MetricsUri.ValueExpression);
        Assert.Contains(((IResourceWithConnectionString)chat.Resource).GetConnectionProperties(), p => p.Key == "MetricsUri");
    }

    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("::/0")]
    public void AnEveryAddressNetworkIsRefusedInPublishMode(string network)
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);

        var error = Assert.Throws<ArgumentException>("allowedNetwork", () => builder.AddProsody("chat").WithMetrics(allowedNetwork: network));
        Assert.Contains("every address", error.Message);
    }

    [Theory]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/8\"")]
    [InlineData("everyone")]
    public void AnInvalidNetworkIsRejected(string network)
    {
        Assert.Throws<ArgumentException>("allowedNetwork", () => TestModel.CreateBuilder().AddProsody("chat").WithMetrics(allowedNetwork: network));
    }

    [Fact]
    public void TheParserKeepsTypesLabelsAndSamplesOfEachFamily()
    {
        const string text = """
            # HELP prosody_mod_c2s__connections Established c2s connections
            # UNIT prosody_mod_c2s__connections 
            # TYPE prosody_mod_c2s__connections gauge
            prosody_mod_c2s__connections{host="chat.dev.localhost",type="c2s"} 2
            # TYPE prosody_mod_c2s__auth counter
            prosody_mod_c2s__auth_created{host="chat.dev.localhost"} 1795579404.5
            prosody_mod_c2s__auth_total{host="chat.dev.localhost",result="success"} 7
            # HELP prosody_stats_processing_seconds stats.processing times
            # UNIT prosody_stats_processing_seconds seconds
            # TYPE prosody_stats_processing_seconds histogram
            prosody_stats_processing_seconds_bucket{le="0.001"} 1
            prosody_stats_processing_seconds_bucket{le="+Inf"} 3
            prosody_stats_processing_seconds_sum 1.5e-06
            prosody_stats_processing_seconds_count 3
            # TYPE prosody_mod_empty counter
            weird_label{a="x\"y\\z",b="line\nbreak"} NaN
            # EOF
            """;

        var families = OpenMetricsText.Parse(text).ToDictionary(f => f.Name);

        var connections = families["prosody_mod_c2s__connections"];
        Assert.Equal(OpenMetricsType.Gauge, connections.Type);
        Assert.Equal("Established c2s connections", connections.Help);
        var sample = Assert.Single(connections.Samples);
        Assert.Equal(2, sample.Value);
        Assert.Equal([new("host", "chat.dev.localhost"), new("type", "c2s")], sample.Labels);

        var auth = families["prosody_mod_c2s__auth"];
        Assert.Equal(OpenMetricsType.Counter, auth.Type);
        Assert.Equal(7, Assert.Single(auth.Samples, s => s.Name == "prosody_mod_c2s__auth_total").Value);

        var histogram = families["prosody_stats_processing_seconds"];
        Assert.Equal((OpenMetricsType.Histogram, "seconds"), (histogram.Type, histogram.Unit));
        Assert.Equal(3, histogram.Samples.Single(s => s.Labels.Contains(new("le", "+Inf"))).Value);
        Assert.Equal(4, histogram.Samples.Count);

        Assert.DoesNotContain("prosody_mod_empty", families.Keys);
        Assert.Equal([new("a", "x\"y\\z"), new("b", "line\nbreak")], Assert.Single(families["weird_label"].Samples).Labels);
    }

    [Theory]
    [InlineData("chat", "chat-uayprpxp", "uayprpxp")]
    [InlineData("chat", "other-name", "other-name")]
    public void TheInstanceIdIsTheOrchestratorsSuffix(string name, string resourceId, string expected)
    {
        Assert.Equal(expected, ProsodyMetricsForwarder.InstanceId(name, resourceId));
    }
}

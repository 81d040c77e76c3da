using System.Net;
using System.Text;

namespace StunTurnTestClient.Tests;

/// <summary>
/// The test TURN client's STUN encoding against the test vectors of RFC 5769. No container: if these fail,
/// a refused Allocate in the TURN functional tests says nothing about the package.
/// </summary>
public class StunMessageTests
{
    // RFC 5769 §2.4 "Sample Request with Long-Term Authentication".
    private const string LongTermUsername = "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9";
    private const string LongTermPassword = "TheMatrIX"; // "The\u00ADM\u00AAtr\u2168" after SASLprep
    private const string LongTermNonce = "f//499k954d6OL34oL9FSTvy64sA";
    private const string LongTermRealm = "example.org";

    private static readonly byte[] SampleRequestWithLongTermAuthentication = Convert.FromHexString(
        "00010060" + "2112a442" + "78ad3433c6ad72c029da412e" +
        "00060012" + "e3839ee38388e383aae38383e382afe382b90000" +
        "0015001c" + "662f2f3439396b39353464364f4c33346f4c39465354767936347341" +
        "0014000b" + "6578616d706c652e6f726700" +
        "00080014" + "f67024656dd64a3e02b8e0712e85c9a28ca89666");

    // RFC 5769 §2.1 "Sample Request" (short-term credentials; padding bytes are spaces, which receivers ignore).
    private const string ShortTermPassword = "VOkJxbRl1RmTxUk/WvJxBt";

    private static readonly byte[] SampleRequest = Convert.FromHexString(
        "00010058" + "2112a442" + "b7e7a701bc34d686fa87dfae" +
        "80220010" + "5354554e207465737420636c69656e74" +
        "00240004" + "6e0001ff" +
        "80290008" + "932ff9b151263b36" +
        "00060009" + "6576746a3a68367659202020" +
        "00080014" + "9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2" +
        "80280004" + "e57a3bcf");

    // RFC 5769 §2.2 "Sample IPv4 Response": mapped address 192.0.2.1 port 32853.
    private static readonly byte[] SampleIPv4Response = Convert.FromHexString(
        "0101003c" + "2112a442" + "b7e7a701bc34d686fa87dfae" +
        "8022000b" + "7465737420766563746f7220" +
        "00200008" + "0001a147e112a643" +
        "00080014" + "2b91f599fd9e90c38c7489f92af9ba53f06be7d7" +
        "80280004" + "c07d4c96");

    // RFC 5769 §2.3 "Sample IPv6 Response": mapped address 2001:db8:1234:5678:11:2233:4455:6677 port 32853.
    private static readonly byte[] SampleIPv6Response = Convert.FromHexString(
        "01010048" + "2112a442" + "b7e7a701bc34d686fa87dfae" +
        "8022000b" + "7465737420766563746f7220" +
        "00200014" + "0002a1470113a9faa5d3f179bc25f4b5bed2b9d9" +
        "00080014" + "a382954e4be67bf11784c97c8292c275bfe3ed41" +
        "80280004" + "c8fb0b4c");

    [Fact]
    public void TheEncoderReproducesTheRfc5769LongTermAuthenticationSampleByteForByte()
    {
        var request = new StunMessage(StunMethod.Binding, StunClass.Request, Convert.FromHexString("78ad3433c6ad72c029da412e"))
            .AddString(StunAttributeType.Username, LongTermUsername)
            .AddString(StunAttributeType.Nonce, LongTermNonce)
            .AddString(StunAttributeType.Realm, LongTermRealm);

        var encoded = request.Encode(StunMessage.LongTermKey(LongTermUsername, LongTermRealm, LongTermPassword));

        Assert.Equal(Convert.ToHexString(SampleRequestWithLongTermAuthentication), Convert.ToHexString(encoded));
    }

    [Fact]
    public void TheDecoderReadsTheRfc5769LongTermSampleAndChecksItsIntegrityWithTheLongTermKeyOnly()
    {
        var message = StunMessage.Decode(SampleRequestWithLongTermAuthentication);

        Assert.Equal((StunMethod.Binding, StunClass.Request), (message.Method, message.Class));
        Assert.Equal(LongTermUsername, message.GetString(StunAttributeType.Username));
        Assert.Equal(LongTermRealm, message.GetString(StunAttributeType.Realm));
        Assert.Equal(LongTermNonce, message.GetString(StunAttributeType.Nonce));
        Assert.True(message.HasValidIntegrity(StunMessage.LongTermKey(LongTermUsername, LongTermRealm, LongTermPassword)));
        Assert.False(message.HasValidIntegrity(StunMessage.LongTermKey(LongTermUsername, LongTermRealm, "TheMatrix")));
        Assert.Null(message.HasValidFingerprint());
    }

    [Fact]
    public void TheDecoderChecksIntegrityAndFingerprintOfTheRfc5769SampleRequest()
    {
        var message = StunMessage.Decode(SampleRequest);
        Assert.Equal("evtj:h6vY", message.GetString(StunAttributeType.Username));
        Assert.Equal("STUN test client", message.GetString(StunAttributeType.Software));
        Assert.True(message.HasValidIntegrity(Encoding.UTF8.GetBytes(ShortTermPassword)));
        Assert.True(message.HasValidFingerprint());
    }

    [Fact]
    public void ATamperedByteInTheRfc5769SampleRequestFailsBothIntegrityAndFingerprint()
    {
        var tampered = (byte[])SampleRequest.Clone();
        tampered[40] ^= 0x01; // inside PRIORITY
        var damaged = StunMessage.Decode(tampered);
        Assert.False(damaged.HasValidIntegrity(Encoding.UTF8.GetBytes(ShortTermPassword)));
        Assert.False(damaged.HasValidFingerprint());
    }

    [Theory]
    [InlineData("IPv4", "192.0.2.1")]
    [InlineData("IPv6", "2001:db8:1234:5678:11:2233:4455:6677")]
    public void TheDecoderReadsXorMappedAddressFromTheRfc5769SampleResponses(string family, string address)
    {
        var message = StunMessage.Decode(family == "IPv4" ? SampleIPv4Response : SampleIPv6Response);

        Assert.Equal((StunMethod.Binding, StunClass.SuccessResponse), (message.Method, message.Class));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), 32853), message.GetXorAddress(StunAttributeType.XorMappedAddress));
        Assert.Equal("test vector", message.GetString(StunAttributeType.Software));
        Assert.True(message.HasValidIntegrity(Encoding.UTF8.GetBytes(ShortTermPassword)));
        Assert.True(message.HasValidFingerprint());
    }

    [Fact]
    public void TurnMessageTypesInterleaveTheMethodAndTheClassBits()
    {
        // RFC 5766 §13: a Send indication has message type 0x0016.
        Assert.Equal(0x0016, StunMessage.MessageType(StunMethod.Send, StunClass.Indication));
    }

    [Fact]
    public void XorAddressesErrorCodesAndTurnMessageTypesSurviveARoundTrip()
    {
        var peer = new IPEndPoint(IPAddress.Parse("2001:db8::7"), 49161);
        var response = new StunMessage(StunMethod.Allocate, StunClass.ErrorResponse)
            .AddXorAddress(StunAttributeType.XorPeerAddress, peer)
            .Add(StunAttributeType.ErrorCode, [0, 0, 4, 38, .. Encoding.UTF8.GetBytes("Stale Nonce")]);

        var encoded = response.Encode(fingerprint: true);
        var decoded = StunMessage.Decode(encoded);

        // RFC 5766 §13: an Allocate error response has message type 0x0113.
        Assert.Equal(0x0113, (encoded[0] << 8) | encoded[1]);
        Assert.Equal((StunMethod.Allocate, StunClass.ErrorResponse), (decoded.Method, decoded.Class));
        Assert.Equal(peer, decoded.GetXorAddress(StunAttributeType.XorPeerAddress));
        Assert.Equal((438, "Stale Nonce"), decoded.GetError());
        Assert.True(decoded.HasValidFingerprint());
        Assert.Equal(0, encoded.Length % 4);
    }
}

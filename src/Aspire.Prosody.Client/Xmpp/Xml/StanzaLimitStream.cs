namespace Aspire.Prosody.Client.Xmpp.Xml;

/// <summary>
/// Counts the bytes the XML parser pulls from the network since <see cref="StartStanza"/> and fails the read once they
/// exceed the limit, so a peer cannot make the client buffer an endless stanza. Counting happens here, on the bytes
/// actually read, not on anything the peer declares.
/// </summary>
/// <remarks>
/// Reads are capped at <see cref="ChunkSize"/> bytes, so what the parser has read ahead of the current stanza is at most
/// a few chunks: a stanza of up to <c>limit</c> bytes always passes and one over <c>limit + Slack</c> never does.
/// </remarks>
internal sealed class StanzaLimitStream(Stream inner, int limit) : Stream
{
    public const int ChunkSize = 4096;

    /// <summary>Read-ahead allowance on top of the limit (the parser buffers a few chunks).</summary>
    public const int Slack = 4 * ChunkSize;

    private long _count;

    /// <summary>Whether the peer closed the connection (a read returned 0 bytes).</summary>
    public bool EndOfStream { get; private set; }

    /// <summary>Starts counting a new top-level element.</summary>
    public void StartStanza() => _count = 0;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer[..Math.Min(buffer.Length, ChunkSize)]);
        Count(read);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, ChunkSize)], cancellationToken).ConfigureAwait(false);
        Count(read);
        return read;
    }

    private void Count(int read)
    {
        EndOfStream |= read == 0;
        _count += read;
        if (_count > (long)limit + Slack)
        {
            throw new XmppStreamException("policy-violation",
                $"The server sent a stanza larger than the limit of {limit} bytes (XmppClientOptions.MaxStanzaBytes); the connection was closed.");
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

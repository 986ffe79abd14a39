package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"
)

// maxFrameBytes bounds one message body. A 10 MB file sent with didOpen is
// about 11 MB of JSON; anything far beyond that is a corrupt header, whose
// body is skipped rather than allocated.
const maxFrameBytes = 256 << 20

// stream is the LSP base protocol (Content-Length framing) for jsonrpc2.
//
// jsonrpc2.NewStream ends the connection on the first bad frame: a header
// it does not like, a body that is not JSON, a message it cannot decode. A
// language server must survive a client's (or a proxy's) mistake, so this
// stream answers a malformed body with a JSON-RPC error, logs it and reads on.
// Header names are matched case-insensitively, as RFC 7230 says they are.
type stream struct {
	rwc io.ReadWriteCloser
	in  *bufio.Reader
	log *zap.Logger

	writeMu sync.Mutex // serializes frames written by Write and by Read's error replies
	buf     []byte     // guarded by writeMu: header and body, written in one call
}

func newStream(rwc io.ReadWriteCloser, log *zap.Logger) *stream {
	return &stream{rwc: rwc, in: bufio.NewReaderSize(rwc, 64<<10), log: log}
}

// Read returns the next well-formed message. Malformed frames are reported
// and skipped; only an I/O error (end of input, closed pipe) is returned.
func (s *stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		body, n, err := s.readFrame()
		if err != nil {
			return nil, n, err
		}
		if body == nil {
			continue // bad header, already logged
		}
		msg, err := decodeMessage(body)
		if errors.Is(err, errUnmatchedResponse) {
			// An error reply with id null (the peer could not parse
			// something we sent): answering it would ping-pong forever.
			s.log.Warn("the client reported an error about an unidentified message", zap.ByteString("body", head(body)))
			continue
		}
		if err != nil {
			s.log.Warn("malformed JSON-RPC message skipped", zap.Error(err), zap.ByteString("head", head(body)))
			s.replyError(err)
			continue
		}
		return msg, n, nil
	}
}

// readFrame reads headers and the body they announce. A nil body with a nil
// error means the header block was unusable and has been skipped.
func (s *stream) readFrame() ([]byte, int64, error) {
	var total int64
	length := -1
	sawHeader := false
	for {
		line, err := s.in.ReadString('\n')
		total += int64(len(line))
		if err != nil {
			if errors.Is(err, io.EOF) && len(line) == 0 && !sawHeader {
				return nil, total, io.EOF
			}
			return nil, total, fmt.Errorf("reading header: %w", err)
		}
		line = strings.TrimSpace(line)
		if line == "" {
			if !sawHeader {
				continue // stray blank line between frames
			}
			break
		}
		sawHeader = true
		// Find the header even when garbage (an unterminated body of a
		// previous bad frame) precedes it on the same line.
		lower := strings.ToLower(line)
		i := strings.LastIndex(lower, "content-length")
		if i < 0 {
			if !strings.Contains(line, ":") {
				s.log.Warn("malformed header line skipped", zap.String("line", truncate(line, 80)))
			}
			continue // Content-Type and unknown headers
		}
		_, value, ok := strings.Cut(line[i:], ":")
		n, perr := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if !ok || perr != nil || n < 0 {
			s.log.Warn("invalid Content-Length header", zap.String("line", truncate(line, 80)))
			length = -1
			continue
		}
		length = int(n)
	}
	if length < 0 {
		s.log.Warn("frame without a valid Content-Length header skipped")
		return nil, total, nil
	}
	if length > maxFrameBytes {
		s.log.Warn("oversized frame skipped", zap.Int("bytes", length))
		n, err := io.CopyN(io.Discard, s.in, int64(length))
		return nil, total + n, err
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(s.in, body); err != nil {
		return nil, total, fmt.Errorf("reading body: %w", err)
	}
	return body, total + int64(length), nil
}

// decodeMessage is jsonrpc2.DecodeMessage with the input checked first, so a
// syntax error can be told from a well-formed message of the wrong shape.
func decodeMessage(body []byte) (jsonrpc2.Message, error) {
	if !json.Valid(body) {
		return nil, jsonrpc2.NewError(jsonrpc2.ParseError, "parse error: invalid JSON")
	}
	if msg, ok := decodeDocumentNotification(body); ok {
		return msg, nil
	}
	msg, err := jsonrpc2.DecodeMessage(body)
	if err != nil {
		var probe struct {
			Method *string          `json:"method"`
			ID     json.RawMessage  `json:"id"`
			Error  *json.RawMessage `json:"error"`
			Result *json.RawMessage `json:"result"`
		}
		if json.Unmarshal(body, &probe) == nil && probe.Method == nil && (probe.Error != nil || probe.Result != nil) {
			return nil, errUnmatchedResponse
		}
		var rpcErr *jsonrpc2.Error
		if errors.As(err, &rpcErr) {
			return nil, rpcErr
		}
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "invalid request: %v", err)
	}
	return msg, nil
}

// errUnmatchedResponse marks a response without a usable id.
var errUnmatchedResponse = errors.New("response without an id")

// replyError answers an undecodable message. Its id cannot be trusted, so
// the reply carries id null, as JSON-RPC 2.0 prescribes.
func (s *stream) replyError(err error) {
	var rpcErr *jsonrpc2.Error
	if !errors.As(err, &rpcErr) {
		rpcErr = jsonrpc2.NewError(jsonrpc2.InvalidRequest, err.Error())
	}
	body, _ := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      *int            `json:"id"`
		Error   *jsonrpc2.Error `json:"error"`
	}{"2.0", nil, rpcErr})
	if werr := s.writeFrame(body); werr != nil {
		s.log.Debug("could not reply to malformed message", zap.Error(werr))
	}
}

// Write sends one message as a single write, so frames never interleave.
func (s *stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return 0, fmt.Errorf("marshaling message: %w", err)
	}
	if err := s.writeFrame(body); err != nil {
		return 0, err
	}
	return int64(len(body)), nil
}

func (s *stream) writeFrame(body []byte) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.buf = append(s.buf[:0], "Content-Length: "...)
	s.buf = strconv.AppendInt(s.buf, int64(len(body)), 10)
	s.buf = append(s.buf, "\r\n\r\n"...)
	s.buf = append(s.buf, body...)
	_, err := s.rwc.Write(s.buf)
	if cap(s.buf) > 1<<20 {
		s.buf = nil // don't pin a large buffer after a big reply
	}
	return err
}

// Close closes the underlying connection, which also unblocks a pending Read.
func (s *stream) Close() error { return s.rwc.Close() }

func head(b []byte) []byte {
	if len(b) > 120 {
		b = b[:120]
	}
	return bytes.TrimSpace(b)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

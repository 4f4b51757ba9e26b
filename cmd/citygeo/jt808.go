package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"citygeo/data"
	"citygeo/field"
	"citygeo/jt808"
)

// DefaultJT808Idle closes a terminal connection silent this long: terminals send a heartbeat
// every 60 s by default (JT/T 808 parameter 0x0001), so three missed ones mean it is gone.
const DefaultJT808Idle = 3 * time.Minute

// DefaultJT808Unreadable closes a connection after this many frames in a row without a
// readable header (or as many frames' worth of bytes outside any frame): the peer does not
// speak JT/T 808, and holding it until it falls idle only keeps a goroutine and a socket. A
// terminal's own line noise is a frame now and then between good ones, which reset the count.
const DefaultJT808Unreadable = 8

// jt808GarbageLogEvery bounds how often a connection closed for garbage is logged: a
// scanner or a misconfigured device that reconnects at once would otherwise fill the log.
const jt808GarbageLogEvery = time.Minute

// jt808Server accepts JT/T 808 terminal connections and feeds their locations to the field
// force. It is wiring only: the protocol is package jt808's Session, the storage the force's.
type jt808Server struct {
	force      *field.Force
	auth       jt808.Authenticator
	log        *slog.Logger
	idle       time.Duration
	unreadable int // see DefaultJT808Unreadable

	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]struct{}

	garbageMu     sync.Mutex
	garbageLogged time.Time // when a garbage close was last logged
	garbageQuiet  int       // garbage closes not logged since
}

func newJT808Server(force *field.Force, auth jt808.Authenticator, log *slog.Logger) *jt808Server {
	return &jt808Server{force: force, auth: auth, log: log, idle: DefaultJT808Idle, unreadable: DefaultJT808Unreadable,
		conns: map[net.Conn]struct{}{}}
}

// logGarbage logs a connection closed for garbage, at most once per jt808GarbageLogEvery
// across connections, with how many such closes went unlogged before it.
func (s *jt808Server) logGarbage(log *slog.Logger, frames, noise int) {
	s.garbageMu.Lock()
	now := time.Now()
	if !s.garbageLogged.IsZero() && now.Sub(s.garbageLogged) < jt808GarbageLogEvery {
		s.garbageQuiet++
		s.garbageMu.Unlock()
		return
	}
	quiet := s.garbageQuiet
	s.garbageLogged, s.garbageQuiet = now, 0
	s.garbageMu.Unlock()
	log.Warn("connection closed: the peer sends no readable JT/T 808 frames", "unreadable_frames", frames,
		"bytes_outside_frames", noise, "closed_unlogged_before", quiet)
}

// Serve accepts connections on ln until ctx ends, then closes the listener and every
// connection and waits for their handlers. Fixes a handler was storing are stored or not
// acknowledged: never acknowledged and lost.
func (s *jt808Server) Serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() {
		ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
	})
	defer stop()
	defer s.wg.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		s.mu.Lock()
		s.conns[conn] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(ctx, conn)
			s.mu.Lock()
			delete(s.conns, conn)
			s.mu.Unlock()
			conn.Close()
		}()
	}
}

// handle serves one terminal. Every frame a read completes is handled, the locations of all of
// them stored in one ingest, and the answers written in one write: a terminal that sends a
// burst (a blind-area catch-up) is acknowledged per group, not per round trip.
func (s *jt808Server) handle(ctx context.Context, conn net.Conn) {
	log := s.log.With("jt808", conn.RemoteAddr().String())
	var (
		sp    jt808.Splitter
		sess  = jt808.Session{Auth: s.auth}
		buf   = make([]byte, 16<<10)
		ins   []jt808.Inbound
		fixes []data.Fix
		owner []int // owner[i]: the inbound fixes[i] came in
		out   []byte
		noise int // bytes outside frames since the last frame with a readable header
	)
	for {
		conn.SetReadDeadline(time.Now().Add(s.idle))
		n, err := conn.Read(buf)
		if n > 0 {
			sp.Write(buf[:n])
			ins, fixes, owner = ins[:0], fixes[:0], owner[:0]
			for fr, ok := sp.Next(); ok; fr, ok = sp.Next() {
				noise += sp.Dropped()
				in := sess.Handle(fr)
				if sess.Unreadable() == 0 {
					noise = 0
				}
				if in.Err != nil {
					log.Debug("bad frame", "msg", in.Header.ID, "serial", in.Header.Serial, "err", in.Err)
				}
				dev := in.Header.Terminal()
				if in.Seen && len(in.Locations) == 0 {
					s.force.Seen(dev)
				}
				for i := range in.Locations {
					fixes, owner = append(fixes, in.Locations[i].Fix(dev)), append(owner, len(ins))
				}
				ins = append(ins, in)
			}
			if d := sp.Dropped(); d > 0 {
				noise += d
				log.Debug("bytes outside frames dropped", "bytes", d)
			}
			stored := true
			if len(fixes) > 0 {
				rep, err := s.force.Ingest(ctx, fixes)
				if err != nil {
					stored = false
					log.Warn("locations not stored; the terminal will send them again", "fixes", len(fixes), "err", err)
				}
				for _, p := range rep.Rejected {
					ins[owner[p.Index]].Reject()
					log.Debug("location refused", "terminal", fixes[p.Index].Device, "field", p.Field, "reason", p.Reason)
				}
			}
			out = out[:0]
			for i := range ins {
				out = sess.AppendReply(out, &ins[i], stored)
			}
			if len(out) > 0 {
				conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
				if _, werr := conn.Write(out); werr != nil {
					log.Debug("write", "err", werr)
					return
				}
			}
			// Checked after the read's good frames are stored and answered: only garbage is cut off.
			if u := sess.Unreadable(); u >= s.unreadable || noise >= s.unreadable*jt808.MaxFrame {
				s.logGarbage(log, u, noise)
				return
			}
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				log.Debug("idle connection closed", "terminal", sess.Terminal())
			}
			return
		}
	}
}

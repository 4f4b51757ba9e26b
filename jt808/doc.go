// Package jt808 is the codec of JT/T 808 (道路运输车辆卫星定位系统 终端通讯协议), the national
// protocol vehicle terminals speak to a platform over TCP, in its 2013 and 2019 forms: cutting a
// byte stream into frames, escaping, the checksum, the message header, the bodies citygeo reads
// (registration, authentication, heartbeat, location report, batch upload, in one frame or in
// packets) and the platform's answers to them (general response, registration response, resend
// request), plus Session, the platform side of one connection as a state machine.
//
// It is pure: no sockets, no clocks, no storage. The TCP listener that feeds it bytes and
// stores the locations lives in cmd/citygeo, so the codec is tested and fuzzed byte by byte.
package jt808

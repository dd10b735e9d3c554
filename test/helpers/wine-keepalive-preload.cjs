// Given to the Windows node.exe with --require when it runs under Wine (test/helpers/wine.ts), never to the
// product. Wine 8 refuses TCP keep-alive on a socket that is still connecting, and undici's fetch asks for it right
// after connect() is called, so every fetch fails with "connect UNKNOWN". Keep-alive asked for while connecting is
// applied once the socket has connected instead, which is what real Windows does anyway.
'use strict';
const net = require('node:net');

const setKeepAlive = net.Socket.prototype.setKeepAlive;
net.Socket.prototype.setKeepAlive = function setKeepAliveOnceConnected(enable, initialDelay) {
  if (this.connecting) {
    this.once('connect', () => setKeepAlive.call(this, enable, initialDelay));
    return this;
  }
  return setKeepAlive.call(this, enable, initialDelay);
};

// A TCP proxy in front of the server that cuts the connection, as a phone's signal drops:
// once the bytes sent towards the server reach each threshold in `cutsAt` (counted over
// every connection), it passes exactly that many and then destroys both sides of the
// connection carrying them. Bytes are not parsed: a threshold inside a request body cuts
// that request half-way, which is what a dropped mobile connection does.
'use strict'

const net = require('net')

function cuttingProxy(target, cutsAt) {
  const { hostname, port } = new URL(target)
  const pending = [...cutsAt].sort((a, b) => a - b)
  const cuts = []
  const open = new Set()
  let sent = 0
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname)
    open.add(client)
    open.add(upstream)
    const drop = () => { client.destroy(); upstream.destroy() }
    client.on('data', (data) => {
      const next = pending[0]
      if (next !== undefined && sent + data.length >= next) {
        upstream.write(data.subarray(0, next - sent), drop)
        sent = next
        cuts.push(next)
        pending.shift()
        client.pause()
        return
      }
      sent += data.length
      upstream.write(data)
    })
    upstream.on('data', (data) => client.write(data))
    for (const socket of [client, upstream]) {
      socket.on('error', drop)
      socket.on('close', () => { open.delete(socket); drop() })
    }
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        cuts,
        close: () => new Promise((done) => {
          server.close(done)
          for (const socket of open) socket.destroy()  // idle keep-alive connections
        }),
      })
    })
  })
}

module.exports = { cuttingProxy }

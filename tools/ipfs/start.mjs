// An offline js-ipfs node serving the HTTP RPC API (the /api/v0 of Kubo) on loopback.
//
//   node start.mjs <repo-dir> <api-port>
//
// The repo is created on first use. No bootstrap peers, no swarm listeners, no gateway,
// no preload nodes, no network discovery: the node talks to nobody. It prints
// "API ready http://127.0.0.1:<port>" once it answers, and stops cleanly on SIGINT/SIGTERM.

// js-ipfs 0.66's dependency tree (mortice, it-queue, abort-error) calls
// Promise.withResolvers, which Node gained only in 22. Polyfill it before loading them,
// hence the dynamic imports below.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers () {
    let resolve
    let reject
    const promise = new this((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
}

const [repo, portText] = process.argv.slice(2)
const port = Number(portText)
if (!repo || !Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: node start.mjs <repo-dir> <api-port>')
  process.exit(2)
}

const { create } = await import('ipfs-core')
const { HttpApi } = await import('ipfs-http-server')

const ipfs = await create({
  repo,
  offline: true,
  silent: true,
  repoAutoMigrate: false,
  preload: { enabled: false },
  config: {
    Addresses: {
      API: `/ip4/127.0.0.1/tcp/${port}`,
      Gateway: [],
      RPC: [],
      Swarm: [],
      Announce: [],
      NoAnnounce: [],
      Delegates: []
    },
    Bootstrap: [],
    Discovery: { MDNS: { Enabled: false }, webRTCStar: { Enabled: false } }
  }
})
const api = new HttpApi(ipfs)
await api.start()
const { version } = await ipfs.version()
console.log(`API ready http://127.0.0.1:${port} (js-ipfs ${version}, repo ${repo})`)

let stopping = false
async function stop () {
  if (stopping) return
  stopping = true
  try {
    await api.stop()
    await ipfs.stop()
  } finally {
    process.exit(0)
  }
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

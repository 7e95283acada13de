/// The desk's stylesheet, served at `/dashboard/app.css` (no build step).
enum DashboardStyle {
    static let source = """
    body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
    header { display: flex; gap: 1em; align-items: center; padding: .6em 1em; background: #1d2330; color: #fff; }
    header h1 { font-size: 1.1em; margin: 0; }
    header form { margin-left: auto; }
    section { margin: 1em; padding: .8em; background: #fff; border-radius: 6px; box-shadow: 0 1px 2px #0002; overflow-x: auto; }
    h2 { font-size: 1em; margin: 0 0 .5em; }
    table { border-collapse: collapse; width: 100%; }
    th, td { padding: .25em .5em; border-bottom: 1px solid #e3e6eb; text-align: left; white-space: nowrap; }
    td.zero { color: #b8bec8; }
    .live.on { color: #7fdc8d; } .live.off { color: #f3b35f; }
    tr.status-rejected td, tr.status-dead td { background: #fde8e8; }
    tr.status-released td, tr.status-stored td, tr.status-closed td, tr.status-concluded td { background: #e9f7ec; }
    tr.stuck td { background: #fff4d6; font-weight: 600; }
    tr.flash td { outline: 2px solid #4a90e2; }
    .muted { color: #5c6573; } .notice { color: #a33; }
    .login { max-width: 28em; margin: 4em auto; background: #fff; padding: 2em; border-radius: 6px; }
    .receipts { margin: .2em 0 .8em 1.5em; } .receipts td { white-space: normal; }
    #health li.breaker-open { color: #b00020; font-weight: 600; } #health li.breaker-half-open { color: #a66300; }
    """
}

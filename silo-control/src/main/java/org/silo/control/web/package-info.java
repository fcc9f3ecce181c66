/**
 * The web console (docs/console.md): pages, JSON under /api, server-sent status events, Prometheus metrics,
 * all read through {@link org.silo.control.ControlData}. Start it with {@link org.silo.control.web.ConsoleServer}.
 * The service page is docs/console.md.
 */
package org.silo.control.web;

/** Silo server. */
package org.silo.server;

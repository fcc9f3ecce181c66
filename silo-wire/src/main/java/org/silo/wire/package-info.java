/** The Silo message layer. */
package org.silo.wire;

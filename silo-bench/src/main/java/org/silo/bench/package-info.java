/** Silo bench. */
package org.silo.bench;

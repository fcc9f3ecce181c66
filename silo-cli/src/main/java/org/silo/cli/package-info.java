/** Silo cli. */
package org.silo.cli;

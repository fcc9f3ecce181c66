/** Silo block. */
package org.silo.block;

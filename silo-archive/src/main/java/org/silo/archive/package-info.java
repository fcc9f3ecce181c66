/** The archive of seed 000: catalog, volumes, volume clerk, file clerk, namespace. */
package org.silo.archive;
